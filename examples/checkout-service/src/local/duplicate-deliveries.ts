import { type Message, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSeededRandom } from '../random/seeded-random.js';

/** Options of {@link startDuplicateDeliveries}. */
export interface DuplicateDeliveriesOptions {
  readonly sqs: SQSClient;
  /** The queues to duplicate from (a FIFO queue's copy keeps the message group). */
  readonly queues: ReadonlyArray<{ readonly queueUrl: string; readonly fifo: boolean }>;
  readonly seed: number;
  /** Bodies containing one of these are left alone (injected poison is counted on its own). */
  readonly skipMarkers?: readonly string[];
}

/** A running duplicator. */
export interface DuplicateDeliveries {
  /** Copies sent so far (each a second delivery of a command the workers also get). */
  readonly count: number;
  stop(): Promise<void>;
}

/**
 * Chaos: makes SQS deliver commands twice, the way a visibility timeout shorter than the handler
 * does. At seeded moments it receives a few commands with a 1 s visibility timeout and never deletes
 * them (so they come back to the workers, like from a consumer whose visibility lapsed), and sends a
 * copy of each with the same body and attributes (a second, concurrent delivery). Each message id
 * is copied once. Handlers must be idempotent at their own boundary for the invariants to hold.
 */
export function startDuplicateDeliveries(options: DuplicateDeliveriesOptions): DuplicateDeliveries {
  const random = createSeededRandom(options.seed);
  const copied = new Set<string>();
  const skip = options.skipMarkers ?? [];
  let running = true;
  let count = 0;
  const copy = async (queue: DuplicateDeliveriesOptions['queues'][number], message: Message) => {
    const body = message.Body;
    if (body === undefined || message.MessageId === undefined || copied.has(message.MessageId)) return;
    if (skip.some((marker) => body.includes(marker))) return;
    copied.add(message.MessageId);
    const group = message.Attributes?.MessageGroupId;
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: body,
        ...(message.MessageAttributes === undefined ? {} : { MessageAttributes: message.MessageAttributes }),
        // A FIFO copy: same group, its own deduplication id (else SQS would drop it as the same send).
        ...(queue.fifo
          ? { MessageGroupId: group ?? 'duplicates', MessageDeduplicationId: `dup-${message.MessageId}` }
          : {}),
      }),
    );
    count += 1;
  };
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, random.int(200, 800)));
      if (!running) break;
      const queue = options.queues[random.int(0, options.queues.length - 1)];
      if (queue === undefined) break;
      try {
        const { Messages } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.queueUrl,
            MaxNumberOfMessages: random.int(1, 3),
            VisibilityTimeout: 1,
            WaitTimeSeconds: 0,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['MessageGroupId'],
          }),
        );
        for (const message of Messages ?? []) await copy(queue, message);
      } catch {
        // A failed receive or send is one fewer duplicate, not a test failure.
      }
    }
  })();
  return {
    get count() {
      return count;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
