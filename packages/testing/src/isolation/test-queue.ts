import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsEndpoint } from '../stack/types.js';
import { uniqueName } from './unique-name.js';

/** Options of {@link createTestQueue}. */
export interface TestQueueOptions {
  /** Name prefix (`[a-z][a-z0-9_]*`). Default `q`. */
  readonly prefix?: string;
  /** Create a FIFO queue (name ends in `.fifo`). */
  readonly fifo?: boolean;
  /** Create a DLQ and a redrive policy with this `maxReceiveCount`. */
  readonly maxReceiveCount?: number;
  /** Default visibility timeout of the queue, in seconds. */
  readonly visibilityTimeoutSeconds?: number;
  /** Extra queue attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A queue (and its DLQ, when asked) created for one test. */
export interface TestQueue {
  readonly name: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Present when `maxReceiveCount` was given. */
  readonly dlq?: { readonly name: string; readonly queueUrl: string; readonly queueArn: string };
}

async function create(client: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn;
  if (queueArn === undefined) throw new Error(`GetQueueAttributes ${name} returned no QueueArn`);
  return { name, queueUrl: QueueUrl, queueArn };
}

/** A {@link TestQueue} created with `maxReceiveCount`: its DLQ is always there. */
export type TestQueueWithDlq = TestQueue & { readonly dlq: NonNullable<TestQueue['dlq']> };

/** Creates a uniquely named queue, optionally FIFO and with a DLQ + redrive policy. */
export function createTestQueue(
  sqs: Pick<AwsEndpoint, 'clientConfig'>,
  options: TestQueueOptions & { readonly maxReceiveCount: number },
): Promise<TestQueueWithDlq>;
export function createTestQueue(sqs: Pick<AwsEndpoint, 'clientConfig'>, options?: TestQueueOptions): Promise<TestQueue>;
export async function createTestQueue(
  sqs: Pick<AwsEndpoint, 'clientConfig'>,
  options: TestQueueOptions = {},
): Promise<TestQueue> {
  const client = new SQSClient(sqs.clientConfig);
  try {
    const base = uniqueName(options.prefix ?? 'q');
    const suffix = options.fifo === true ? '.fifo' : '';
    const fifoAttributes: Record<string, string> = options.fifo === true ? { FifoQueue: 'true' } : {};
    const attributes: Record<string, string> = { ...fifoAttributes, ...options.attributes };
    if (options.visibilityTimeoutSeconds !== undefined) {
      attributes.VisibilityTimeout = String(options.visibilityTimeoutSeconds);
    }
    let dlq: TestQueue['dlq'];
    if (options.maxReceiveCount !== undefined) {
      dlq = await create(client, `${base}_dlq${suffix}`, fifoAttributes);
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: dlq.queueArn,
        maxReceiveCount: options.maxReceiveCount,
      });
    }
    const main = await create(client, `${base}${suffix}`, attributes);
    return dlq === undefined ? main : { ...main, dlq };
  } finally {
    client.destroy();
  }
}
