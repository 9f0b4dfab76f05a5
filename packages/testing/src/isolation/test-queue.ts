import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TestingInputError } from '../errors.js';
import type { AwsEndpoint } from '../stack/types.js';
import { uniqueName } from './unique-name.js';

/** Options of {@link createTestQueue}. */
export interface TestQueueOptions {
  /** Name prefix (`[a-z][a-z0-9_]*`). Default `q`. */
  readonly prefix?: string;
  /** Create a FIFO queue (name ends in `.fifo`). */
  readonly fifo?: boolean;
  /** Create a DLQ and a redrive policy with this `maxReceiveCount` (an integer in [1, 1000]). */
  readonly maxReceiveCount?: number;
  /** Default visibility timeout of the queue, whole seconds in [0, 43200] (SQS's unit and range). */
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

function checkInteger(field: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new TestingInputError(field, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

/**
 * Creates a uniquely named queue, optionally FIFO and with a DLQ + redrive policy. A bad option is a
 * `TestingInputError` naming it, before any queue is created.
 *
 * @example
 * ```ts
 * import { createTestQueue, startCheckoutStack } from '@checkout/testing';
 *
 * const stack = await startCheckoutStack();
 * const queue = await createTestQueue(stack.sqs, { prefix: 'payments', maxReceiveCount: 3 });
 * queue.dlq.queueUrl; // the DLQ is there because maxReceiveCount was given
 * ```
 */
export function createTestQueue(
  sqs: Pick<AwsEndpoint, 'clientConfig'>,
  options: TestQueueOptions & { readonly maxReceiveCount: number },
): Promise<TestQueueWithDlq>;
export function createTestQueue(sqs: Pick<AwsEndpoint, 'clientConfig'>, options?: TestQueueOptions): Promise<TestQueue>;
export async function createTestQueue(
  sqs: Pick<AwsEndpoint, 'clientConfig'>,
  options: TestQueueOptions = {},
): Promise<TestQueue> {
  checkInteger('maxReceiveCount', options.maxReceiveCount, 1, 1000);
  checkInteger('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds, 0, 43_200);
  const base = uniqueName(options.prefix ?? 'q');
  const client = new SQSClient(sqs.clientConfig);
  try {
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
