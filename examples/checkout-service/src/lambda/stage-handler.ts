import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkerObserver } from '@checkout/workers';
import { createSqsBatchHandler, type SqsBatchHandler } from '@checkout/workers/lambda';
import { stageRoutes } from '../handlers/command-handlers.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { type QueueName, TOPOLOGY } from '../topology.js';

/**
 * The Lambda of one stage (`payment-worker`, `inventory-worker`, ...; SQS event source with
 * `ReportBatchItemFailures`): the stage's commands through `@checkout/workers`' batch handler, so
 * poison goes to the stage's DLQ with a reason and transient failures (provider unavailable or
 * throttled) back off and come back with the same key.
 */
export function createStageHandler(
  deps: CheckoutDeps,
  queue: QueueName,
  options: {
    readonly client: SQSClient;
    /** The stage's queue URL (the batch handler changes visibility and parks poison through it). */
    readonly queueUrl?: string;
    /** The stage's DLQ URL (poison is parked there; without it the handler looks it up from the queue's redrive policy). */
    readonly deadLetterQueueUrl?: string;
    /** Records handled at once within one invocation. Default: the stage's concurrency. */
    readonly concurrency?: number;
    /** Hooks; `observer.error` gets the errors the handler survived (default: one `console.error` line each). */
    readonly observer?: WorkerObserver;
  },
): SqsBatchHandler {
  return createSqsBatchHandler({
    commands: stageRoutes(deps, queue),
    client: options.client,
    concurrency: options.concurrency ?? TOPOLOGY[queue].concurrency,
    metrics: false,
    ...(options.queueUrl === undefined ? {} : { queueUrl: options.queueUrl }),
    ...(options.deadLetterQueueUrl === undefined ? {} : { deadLetterQueueUrl: options.deadLetterQueueUrl }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
}
