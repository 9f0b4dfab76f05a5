import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type QueueSnapshot, queueNameOf } from './worker-metrics.js';

/**
 * Reads the approximate depth of a queue. SQS exposes the age of the oldest message only as a
 * CloudWatch metric (`ApproximateAgeOfOldestMessage`), not through this API: the workers report
 * the oldest age they actually receive (`OldestMessageAge`, from `SentTimestamp`) instead.
 */
export async function getQueueSnapshot(client: SQSClient, queueUrl: string): Promise<QueueSnapshot> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    queue: queueNameOf(queueUrl),
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
