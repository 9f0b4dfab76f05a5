import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { boundedCall } from '../processing/call-timeout.js';

/** Options of {@link scanQueue}. */
export interface ScanOptions {
  readonly visibilitySeconds: number;
  readonly waitTimeSeconds: number;
  /** Bound of each receive and hand-back call; a receive gets `waitTimeSeconds` on top. */
  readonly requestTimeoutMs: number;
}

/**
 * Walks a DLQ once: receives batches (holding each message invisible for the scan), calls `visit`
 * once per distinct message with the time its hold ends, and at the end hands back every message
 * not taken (visibility 0). `visit` returns `keep` to leave the message in the queue, `taken` when
 * it deleted it, or `stop` to end the scan (the message is kept).
 *
 * Every call is bounded (`RequestTimeoutError`). Whatever ends the scan (a timeout, an error
 * thrown by `visit`), every received message not taken is handed back, in parallel so a stalled
 * endpoint costs one more bound at most; a hand-back that fails leaves its messages hidden until
 * their hold ends, never deleted. The first error is the one thrown.
 */
export async function scanQueue(
  client: SQSClient,
  queueUrl: string,
  options: ScanOptions,
  visit: (message: Message, heldUntilMs: number) => Promise<'keep' | 'taken' | 'stop'>,
): Promise<void> {
  // Latest receipt handle of every received message not taken, and every message visited.
  const held = new Map<string, string>();
  const visited = new Set<string>();
  let failure: { readonly error: unknown } | undefined;
  try {
    scan: for (;;) {
      const receivedAtMs = Date.now();
      const { Messages = [] } = await boundedCall(
        'ReceiveMessage',
        options.requestTimeoutMs + options.waitTimeSeconds * 1000,
        (callOptions) =>
          client.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: options.waitTimeSeconds,
              VisibilityTimeout: options.visibilitySeconds,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
            callOptions,
          ),
      );
      if (Messages.length === 0) break;
      // Held before any visit, so a visit that throws still gets the whole batch handed back.
      for (const message of Messages) {
        if (message.MessageId !== undefined && message.ReceiptHandle !== undefined) {
          held.set(message.MessageId, message.ReceiptHandle);
        }
      }
      const heldUntilMs = receivedAtMs + options.visibilitySeconds * 1000;
      for (const message of Messages) {
        const id = message.MessageId;
        if (id === undefined || message.ReceiptHandle === undefined || visited.has(id)) continue;
        visited.add(id);
        const verdict = await visit(message, heldUntilMs);
        if (verdict === 'taken') held.delete(id);
        if (verdict === 'stop') break scan;
      }
    }
  } catch (error) {
    failure = { error };
  }
  const handles = [...held.values()];
  const batches: string[][] = [];
  for (let i = 0; i < handles.length; i += 10) batches.push(handles.slice(i, i + 10));
  const released = await Promise.allSettled(
    batches.map((batch) =>
      boundedCall('ChangeMessageVisibilityBatch', options.requestTimeoutMs, (callOptions) =>
        client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 })),
          }),
          callOptions,
        ),
      ),
    ),
  );
  if (failure !== undefined) throw failure.error;
  for (const result of released) if (result.status === 'rejected') throw result.reason;
}
