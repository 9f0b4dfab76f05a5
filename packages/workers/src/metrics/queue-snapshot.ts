import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { boundedCall, resolveRequestTimeoutMs } from '../processing/call-timeout.js';
import { type QueueSnapshot, queueNameOf } from './worker-metrics.js';

/**
 * Reads the approximate depth of a queue. SQS exposes the age of the oldest message only as a
 * CloudWatch metric (`ApproximateAgeOfOldestMessage`), not through this API: the workers report
 * the oldest age they actually receive (`OldestMessageAge`, from `SentTimestamp`) instead.
 *
 * The call is bounded: unanswered after `requestTimeoutMs` (default 30,000, at most 300,000) it is
 * aborted and the promise rejects with a `RequestTimeoutError` (`operation: 'GetQueueAttributes'`).
 * A bad `requestTimeoutMs` rejects with `WorkersConfigError` before any call.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { getQueueSnapshot } from '@checkout/workers';
 *
 * const client = new SQSClient({});
 * declare const queueUrl: string;
 *
 * const { visible, inFlight } = await getQueueSnapshot(client, queueUrl, { requestTimeoutMs: 5_000 });
 * ```
 */
export async function getQueueSnapshot(
  client: SQSClient,
  queueUrl: string,
  options: { readonly requestTimeoutMs?: number } = {},
): Promise<QueueSnapshot> {
  const timeoutMs = resolveRequestTimeoutMs(options.requestTimeoutMs);
  const { Attributes = {} } = await boundedCall('GetQueueAttributes', timeoutMs, (callOptions) =>
    client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
      callOptions,
    ),
  );
  return {
    queue: queueNameOf(queueUrl),
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
