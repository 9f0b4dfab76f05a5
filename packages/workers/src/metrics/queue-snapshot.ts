import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { boundedCall, requestTimeoutMs } from '../processing/call-timeout.js';
import { type QueueSnapshot, queueNameOf } from './worker-metrics.js';

/**
 * Reads the approximate depth of a queue. SQS exposes the age of the oldest message only as a
 * CloudWatch metric (`ApproximateAgeOfOldestMessage`), not through this API: the workers report
 * the oldest age they actually receive (`OldestMessageAge`, from `SentTimestamp`) instead.
 *
 * The call is bounded: unanswered after `requestTimeoutSeconds` (default 30, at most 300) it is
 * aborted and the promise rejects with a `RequestTimeoutError` (`operation: 'GetQueueAttributes'`).
 * A bad `requestTimeoutSeconds` rejects with `InvalidOptionsError` before any call.
 */
export async function getQueueSnapshot(
  client: SQSClient,
  queueUrl: string,
  options: { readonly requestTimeoutSeconds?: number } = {},
): Promise<QueueSnapshot> {
  const timeoutMs = requestTimeoutMs(options.requestTimeoutSeconds);
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
