// Test-only helpers (not exported, not published): an SQS client that records and can fail
// commands, a Lambda SQS event source simulator, and queue utilities.
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { afterAll } from 'vitest';
import type { SqsBatchHandler } from '../lambda/sqs-batch-handler.js';
import type { SqsEventRecord } from '../lambda/sqs-event.js';

export interface RecordedCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly at: number;
  output?: unknown;
}

/** An SQS client whose calls are recorded; `failNext(name, n)` makes the next n calls of a command throw. */
/**
 * A factory of {@link recordingClient}s for one test file; every client it made is destroyed after
 * the file's tests.
 */
export function recordingClients(config: SQSClientConfig): () => ReturnType<typeof recordingClient> {
  const clients: SQSClient[] = [];
  afterAll(() => {
    for (const c of clients) c.destroy();
  });
  return () => {
    const recording = recordingClient(config);
    clients.push(recording.client);
    return recording;
  };
}

export function recordingClient(config: SQSClientConfig) {
  const client = new SQSClient(config);
  const calls: RecordedCall[] = [];
  const failures = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
      const call: RecordedCall = { command, input: args.input as Record<string, unknown>, at: Date.now() };
      calls.push(call);
      const left = failures.get(command) ?? 0;
      if (left > 0) {
        failures.set(command, left - 1);
        throw Object.assign(new Error(`injected ${command} failure`), { name: 'InjectedFailure' });
      }
      const result = await next(args);
      call.output = result.output;
      return result;
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return {
    client,
    calls,
    count: (command: string) => calls.filter((call) => call.command === command).length,
    failNext: (command: string, times: number) => failures.set(command, times),
  };
}

/** Sends many bodies with SendMessageBatch (10 at a time, in order). */
export async function sendAll(
  client: SQSClient,
  queueUrl: string,
  entries: ReadonlyArray<Omit<SendMessageBatchRequestEntry, 'Id'>>,
): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const chunk = entries.slice(i, i + 10).map((entry, index) => ({ ...entry, Id: String(index) }));
    const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
    if ((result.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(result.Failed)}`);
  }
}

/** Receives everything visible (releasing nothing) and returns the bodies; deletes them when asked. */
export async function drain(
  client: SQSClient,
  queueUrl: string,
  options: { readonly delete?: boolean; readonly waitTimeSeconds?: number } = {},
) {
  const messages: Array<{
    body: string;
    attributes: Record<string, string>;
    messageAttributes: Record<string, unknown>;
  }> = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 0,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return messages;
    for (const message of Messages) {
      messages.push({
        body: message.Body ?? '',
        attributes: (message.Attributes ?? {}) as Record<string, string>,
        messageAttributes: message.MessageAttributes ?? {},
      });
    }
    if (options.delete === true) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  }
}

/** Approximate visible + in-flight + delayed counts. */
export async function depth(client: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * One poll of Lambda's SQS event source mapping with ReportBatchItemFailures: receive a batch,
 * invoke the handler, delete every record not reported failed. Returns what happened.
 */
export async function invokeFromQueue(
  client: SQSClient,
  queue: { readonly queueUrl: string; readonly queueArn: string },
  handler: SqsBatchHandler,
  options: { readonly batchSize?: number; readonly waitTimeSeconds?: number; readonly visibilityTimeout?: number } = {},
) {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: options.batchSize ?? 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout }),
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  const records: SqsEventRecord[] = Messages.map((message) => ({
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
      ...(message.Attributes?.MessageGroupId === undefined
        ? {}
        : { MessageGroupId: message.Attributes.MessageGroupId }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
          ...(value.BinaryValue === undefined
            ? {}
            : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
        },
      ]),
    ),
    eventSourceARN: queue.queueArn,
  }));
  if (records.length === 0) return { records, failed: [] as string[] };
  const response = await handler({ Records: records }, { getRemainingTimeInMillis: () => 30_000 });
  const failed = response.batchItemFailures.map((failure) => failure.itemIdentifier);
  const done = Messages.filter((message) => !failed.includes(message.MessageId ?? ''));
  if (done.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return { records, failed };
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
