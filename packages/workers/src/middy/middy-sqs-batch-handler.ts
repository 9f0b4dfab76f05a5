import middy, { type MiddyfiedHandler } from '@middy/core';
import { createSqsBatchHandler, type SqsBatchHandlerOptions } from '../lambda/sqs-batch-handler.js';
import type { SqsBatchResponse, SqsEvent } from '../lambda/sqs-event.js';

/** The Middy handler of {@link createMiddySqsBatchHandler}: `(event, context) => { batchItemFailures }` with `.use(...)`. */
export type MiddySqsBatchHandler = MiddyfiedHandler<SqsEvent, SqsBatchResponse>;

/**
 * The SQS batch handler of `@checkout/workers/lambda` as a Middy handler (`@middy/core` 7), ready
 * for `.use(...)`: the result of `middy().handler(createSqsBatchHandler(options))` with Middy's
 * own early timeout off (`timeoutEarlyInMillis: 0`), because the batch handler already returns
 * before the Lambda deadline with the unfinished records in `batchItemFailures`; Middy's timeout
 * would instead fail the whole batch, and every record that succeeded would come back.
 *
 * Other middlewares wrap it as usual (Powertools `injectLambdaContext`, `logMetrics`, your own);
 * the response is the partial batch response `{ batchItemFailures }`, so do not add
 * `@middy/sqs-partial-batch-failure` (it expects settled promises). A middleware that throws fails
 * the whole batch, as a throwing handler would.
 *
 * @throws WorkersConfigError naming the first bad option, as `createSqsBatchHandler`.
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger';
 * import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
 * import { Metrics } from '@aws-lambda-powertools/metrics';
 * import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
 * import { type CommandRoute } from '@checkout/workers';
 * import { createMiddySqsBatchHandler, type MiddySqsBatchHandler } from '@checkout/workers/middy';
 * import { createPowertoolsMetrics, createPowertoolsObserver } from '@checkout/workers/powertools';
 *
 * declare const commands: readonly CommandRoute[];
 *
 * const logger = new Logger({ serviceName: 'payments' });
 * const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
 *
 * export const handler: MiddySqsBatchHandler = createMiddySqsBatchHandler({
 *   commands,
 *   observer: createPowertoolsObserver(logger),
 *   // Added to your Metrics buffer; logMetrics publishes them with yours, in one EMF document.
 *   metrics: createPowertoolsMetrics(metrics, { publish: false }),
 * })
 *   .use(injectLambdaContext(logger))
 *   .use(logMetrics(metrics));
 * ```
 */
export function createMiddySqsBatchHandler(options: SqsBatchHandlerOptions): MiddySqsBatchHandler {
  const batch = createSqsBatchHandler(options);
  return middy<SqsEvent, SqsBatchResponse>({ timeoutEarlyInMillis: 0 }).handler((event, context) =>
    batch(event, context),
  );
}
