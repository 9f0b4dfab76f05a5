import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Walks a DLQ once: receives batches (holding each message invisible for the scan), calls `visit`
 * once per distinct message, and at the end hands back every message `visit` kept (visibility 0).
 * `visit` returns `keep` to leave the message in the queue, `taken` when it deleted it, or `stop`
 * to end the scan (the message is kept).
 */
export async function scanQueue(
  client: SQSClient,
  queueUrl: string,
  options: { readonly visibilitySeconds: number; readonly waitTimeSeconds: number },
  visit: (message: Message) => Promise<'keep' | 'taken' | 'stop'>,
): Promise<void> {
  const held = new Map<string, string>();
  try {
    scan: for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: options.waitTimeSeconds,
          VisibilityTimeout: options.visibilitySeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      let index = 0;
      for (const message of Messages) {
        index += 1;
        const id = message.MessageId;
        const handle = message.ReceiptHandle;
        if (id === undefined || handle === undefined) continue;
        if (held.has(id)) {
          held.set(id, handle);
          continue;
        }
        const verdict = await visit(message);
        if (verdict !== 'taken') held.set(id, handle);
        if (verdict === 'stop') {
          for (const rest of Messages.slice(index)) {
            if (rest.MessageId !== undefined && rest.ReceiptHandle !== undefined && !held.has(rest.MessageId)) {
              held.set(rest.MessageId, rest.ReceiptHandle);
            }
          }
          break scan;
        }
      }
    }
  } finally {
    const handles = [...held.values()];
    for (let i = 0; i < handles.length; i += 10) {
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles.slice(i, i + 10).map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
}
