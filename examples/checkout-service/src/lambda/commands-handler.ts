import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkerObserver } from '@checkout/workers';
import { createSqsBatchHandler, type SqsBatchHandler } from '@checkout/workers/lambda';
import { checkoutCommandRoutes } from '../handlers/command-handlers.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/**
 * The commands Lambda (SQS event source with `ReportBatchItemFailures`): every checkout command
 * through `@checkout/workers`' batch handler, so poison goes to the DLQ with a reason and transient
 * failures (provider unavailable) back off and come back with the same provider request id.
 */
export function createCommandsHandler(
  deps: CheckoutDeps,
  options: {
    readonly client: SQSClient;
    readonly queueUrl?: string;
    readonly concurrency?: number;
    /** Hooks; `observer.error` gets the errors the handler survived (default: one `console.error` line each). */
    readonly observer?: WorkerObserver;
  },
): SqsBatchHandler {
  return createSqsBatchHandler({
    commands: checkoutCommandRoutes(deps),
    client: options.client,
    concurrency: options.concurrency ?? 10,
    metrics: false,
    ...(options.queueUrl === undefined ? {} : { queueUrl: options.queueUrl }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
}
