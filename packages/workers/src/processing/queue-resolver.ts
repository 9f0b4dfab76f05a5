import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeadLetterQueueUnavailableError } from '../errors.js';
import { boundedCall } from './call-timeout.js';
import { SQS_MAX_MESSAGE_BYTES } from './dead-letter-attributes.js';

/**
 * Resolves queue URLs from ARNs and a queue's DLQ from its redrive policy, caching successes for
 * the life of one handler or consumer (configuration, not per-message state).
 */
export interface QueueResolver {
  urlOfArn(arn: string): Promise<string>;
  deadLetterUrlOf(queueUrl: string): Promise<string>;
  /**
   * The queue's `MaximumMessageSize` in bytes, or SQS's 1 MiB when it cannot be read (no
   * `sqs:GetQueueAttributes` permission, say): a send over the real limit then fails and is retried.
   */
  maximumMessageSizeOf(queueUrl: string): Promise<number>;
}

/**
 * Creates a resolver; `deadLetterQueueUrl` short-circuits the redrive-policy lookup. Each SQS call
 * is bounded by `requestTimeoutMs`.
 */
export function createQueueResolver(
  client: SQSClient,
  deadLetterQueueUrl: string | undefined,
  requestTimeoutMs: number,
): QueueResolver {
  const urls = new Map<string, Promise<string>>();
  const dlqs = new Map<string, Promise<string>>();
  const sizes = new Map<string, Promise<number>>();
  const cached = (cache: Map<string, Promise<string>>, key: string, load: () => Promise<string>) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const promise = load();
    cache.set(key, promise);
    promise.catch(() => cache.delete(key));
    return promise;
  };
  const urlOfArn = (arn: string) =>
    cached(urls, arn, async () => {
      const parts = arn.split(':');
      const name = parts[5];
      const account = parts[4];
      if (parts[0] !== 'arn' || parts[2] !== 'sqs' || name === undefined || name.length === 0) {
        throw new DeadLetterQueueUnavailableError(arn, 'not an SQS queue ARN');
      }
      const { QueueUrl } = await boundedCall('GetQueueUrl', requestTimeoutMs, (callOptions) =>
        client.send(
          new GetQueueUrlCommand({
            QueueName: name,
            ...(account === undefined || account === '' ? {} : { QueueOwnerAWSAccountId: account }),
          }),
          callOptions,
        ),
      );
      if (QueueUrl === undefined) throw new DeadLetterQueueUnavailableError(arn, 'GetQueueUrl returned no URL');
      return QueueUrl;
    });
  return {
    urlOfArn,
    maximumMessageSizeOf: (queueUrl) => {
      const hit = sizes.get(queueUrl);
      if (hit !== undefined) return hit;
      const load = boundedCall('GetQueueAttributes', requestTimeoutMs, (callOptions) =>
        client.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }),
          callOptions,
        ),
      ).then(
        ({ Attributes }) => {
          const size = Number(Attributes?.MaximumMessageSize);
          return Number.isInteger(size) && size > 0 ? size : SQS_MAX_MESSAGE_BYTES;
        },
        () => SQS_MAX_MESSAGE_BYTES,
      );
      sizes.set(queueUrl, load);
      return load;
    },
    deadLetterUrlOf: (queueUrl) => {
      if (deadLetterQueueUrl !== undefined) return Promise.resolve(deadLetterQueueUrl);
      return cached(dlqs, queueUrl, async () => {
        const { Attributes } = await boundedCall('GetQueueAttributes', requestTimeoutMs, (callOptions) =>
          client.send(
            new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
            callOptions,
          ),
        );
        const policy = Attributes?.RedrivePolicy;
        if (policy === undefined) {
          throw new DeadLetterQueueUnavailableError(queueUrl, 'the queue has no RedrivePolicy; set deadLetterQueueUrl');
        }
        const target = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
        if (typeof target !== 'string')
          throw new DeadLetterQueueUnavailableError(queueUrl, 'RedrivePolicy has no target');
        return urlOfArn(target);
      });
    },
  };
}

/** FIFO queues are named `*.fifo`, in URLs and ARNs alike. */
export function isFifoQueue(urlOrArn: string): boolean {
  return urlOrArn.endsWith('.fifo');
}
