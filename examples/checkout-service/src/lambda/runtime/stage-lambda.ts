import { SQSClient } from '@aws-sdk/client-sqs';
import type { SqsBatchHandler } from '@checkout/workers/lambda';
import { boundedSqsConfig } from '../../service/bounded-clients.js';
import type { QueueName } from '../../topology.js';
import { createStageHandler } from '../stage-handler.js';
import { createLambdaDeps, type LambdaDepsNeeds } from './lambda-deps.js';
import { lambdaEnvironment } from './lambda-environment.js';

/**
 * The handler of one stage's worker Lambda, built once per container from what `CheckoutWorker`
 * sets: `CHECKOUT_QUEUE_URL` (visibility changes), `CHECKOUT_DLQ_URL` (poison), `CHECKOUT_DB_*`, and
 * the variables of `needs`.
 */
export async function createStageLambda(queue: QueueName, needs: LambdaDepsNeeds = {}): Promise<SqsBatchHandler> {
  const env = lambdaEnvironment(`${queue}-worker`);
  const queueUrl = env.require('CHECKOUT_QUEUE_URL');
  const deadLetterQueueUrl = env.require('CHECKOUT_DLQ_URL');
  const { deps } = await createLambdaDeps(env, needs);
  return createStageHandler(deps, queue, { client: new SQSClient(boundedSqsConfig()), queueUrl, deadLetterQueueUrl });
}
