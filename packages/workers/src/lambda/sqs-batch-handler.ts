import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaContextLike } from '@checkout/core';
import { HandlerTimeoutError, WorkersConfigError } from '../errors.js';
import { createEmfMetrics } from '../metrics/emf-metrics.js';
import { noMetrics, queueNameOf, safely, type WorkerMetrics } from '../metrics/worker-metrics.js';
import { type InboundMessage, numericAttribute } from '../processing/inbound-message.js';
import { processMessage } from '../processing/process-message.js';
import { createProcessingSetup, type ProcessingOptions } from '../processing/processing-options.js';
import { isFifoQueue } from '../processing/queue-resolver.js';
import { runGroups } from '../processing/run-groups.js';
import type { SqsBatchResponse, SqsEvent, SqsEventRecord } from './sqs-event.js';

/** Options of {@link createSqsBatchHandler}. */
export interface SqsBatchHandlerOptions extends ProcessingOptions {
  /** Records handled at once (FIFO: groups at once, each group in order). Default 10. */
  readonly concurrency?: number;
  /** SQS client for DLQ sends and visibility changes. Default `new SQSClient({})`. */
  readonly client?: SQSClient;
  /** Source queue URL; default resolved once from the records' `eventSourceARN`. */
  readonly queueUrl?: string;
  /** Metrics sink; default EMF to stdout, flushed at the end of each invocation. `false` for none. */
  readonly metrics?: WorkerMetrics | false;
  /**
   * Safety margin before the Lambda deadline (`context.getRemainingTimeInMillis()`), in ms.
   * Default 1,000. At `deadline - timeoutMarginMs` handlers' `signal` aborts (reason: a
   * `HandlerTimeoutError`), no further record starts, and records still running are given up on
   * (visibility set to their backoff); at `deadline - timeoutMarginMs / 2` at the latest the
   * invocation returns, every record not finished reported in `batchItemFailures`, even if a
   * handler never settles. Without a context there is no deadline.
   */
  readonly timeoutMarginMs?: number;
}

/**
 * The Lambda function: `(event, context) => { batchItemFailures }`. `context` is core's
 * `LambdaContextLike` (the real Lambda context fits); without one there is no deadline.
 */
export type SqsBatchHandler = (event: SqsEvent, context?: LambdaContextLike) => Promise<SqsBatchResponse>;

/** SQS and Lambda clocks differ a little; SQS timestamps are trusted to within this. */
const CLOCK_SKEW_MS = 60_000;
/**
 * Longest a record can wait between its receive and the invocation: the event source mapping's
 * maximum batching window (300 s), plus the clock-skew allowance.
 */
const RECEIVE_TO_INVOKE_MS = 300_000 + CLOCK_SKEW_MS;

function toInbound(record: SqsEventRecord, invokedAtMs: number): InboundMessage {
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    messageAttributes[name] = {
      DataType: value.dataType,
      ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
      ...(value.binaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.binaryValue, 'base64') }),
    };
  }
  const receiveCount = numericAttribute(record.attributes.ApproximateReceiveCount) ?? 1;
  const firstReceive = numericAttribute(record.attributes.ApproximateFirstReceiveTimestamp);
  // The record does not say when THIS receive happened. On a first delivery it is the first
  // receive; later, it is no earlier than the first receive nor than the batching window allows.
  const receivedAtMs =
    firstReceive !== undefined && receiveCount <= 1
      ? firstReceive - CLOCK_SKEW_MS
      : Math.max(firstReceive === undefined ? 0 : firstReceive - CLOCK_SKEW_MS, invokedAtMs - RECEIVE_TO_INVOKE_MS);
  return {
    sqsMessageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount,
    sentTimestamp: numericAttribute(record.attributes.SentTimestamp),
    messageGroupId: record.attributes.MessageGroupId,
    messageAttributes,
    awsTraceHeader: record.attributes.AWSTraceHeader,
    receivedAtMs,
  };
}

const timer = (ms: number) => {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<'deadline'>((resolve) => {
    handle = setTimeout(() => resolve('deadline'), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(handle) };
};

/**
 * Creates a Lambda handler for an SQS event source with `ReportBatchItemFailures` enabled.
 *
 * - Records run concurrently up to `concurrency`; on FIFO queues records of one `MessageGroupId`
 *   run in order, and after a failure the rest of that group is reported failed, unrun, while
 *   other groups carry on.
 * - Poison (bad JSON, not an envelope, unknown type or version, schema-invalid) and
 *   `PermanentError` go to the DLQ at once with their reason and are acknowledged.
 * - Other errors: visibility set to an exponential backoff (with jitter, from
 *   `ApproximateReceiveCount`, capped at what is left of SQS's 12 hours from the receive) and
 *   reported failed; the queue's redrive policy moves the message to the DLQ after `maxReceiveCount`.
 * - The Lambda deadline: the invocation returns before it (see `timeoutMarginMs`), reporting
 *   unfinished and unstarted records failed, so a hung handler never makes Lambda time out and
 *   redeliver the records that succeeded.
 *
 * Every invocation keeps its state in its own call: a warm instance carries nothing from one
 * invocation to the next but configuration caches (queue URLs).
 *
 * @throws WorkersConfigError naming the first bad option (`concurrency`, `backoff.maxMs`, ...).
 * @example
 * ```ts
 * import { type CommandDefinition, type Envelope, handleCommand } from '@checkout/workers';
 * import { createSqsBatchHandler } from '@checkout/workers/lambda';
 *
 * type Payment = { amountMinor: number; currency: string };
 * declare const authorizePayment: CommandDefinition<'AuthorizePayment', Payment>;
 * declare function authorize(envelope: Envelope<'AuthorizePayment', Payment>, signal: AbortSignal): Promise<void>;
 *
 * export const handler = createSqsBatchHandler({
 *   backoff: { baseMs: 5_000, maxMs: 3_600_000 },
 *   observer: { error: (event) => console.error('worker error', event.stage, event.error) },
 *   commands: [handleCommand(authorizePayment, (envelope, context) => authorize(envelope, context.signal))],
 * });
 * ```
 */
export function createSqsBatchHandler(options: SqsBatchHandlerOptions): SqsBatchHandler {
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new WorkersConfigError('concurrency', 'must be an integer >= 1');
  }
  if (!Array.isArray(options.commands) || options.commands.length === 0) {
    throw new WorkersConfigError('commands', 'give at least one handleCommand(...) route');
  }
  const margin = options.timeoutMarginMs ?? 1_000;
  if (!Number.isFinite(margin) || margin < 0) {
    throw new WorkersConfigError('timeoutMarginMs', 'must be a number of milliseconds >= 0');
  }
  const client = options.client ?? new SQSClient({});
  const metrics = options.metrics === false ? noMetrics : (options.metrics ?? createEmfMetrics());
  const setup = createProcessingSetup(client, options, metrics);
  const report = setup.reportError;

  return async (event, context) => {
    const invokedAtMs = setup.now();
    const began = performance.now();
    const remaining =
      typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
    const deadline = new AbortController();
    const giveUpAfterMs = remaining === undefined ? undefined : Math.max(0, remaining - margin);
    const returnAfterMs =
      remaining === undefined || giveUpAfterMs === undefined
        ? undefined
        : Math.max(giveUpAfterMs, remaining - margin / 2);
    const giveUp =
      giveUpAfterMs === undefined
        ? undefined
        : setTimeout(
            () =>
              deadline.abort(
                new HandlerTimeoutError(giveUpAfterMs, `${margin} ms before the Lambda deadline (timeoutMarginMs)`),
              ),
            giveUpAfterMs,
          );
    const returnBy = returnAfterMs === undefined ? undefined : timer(returnAfterMs);
    const records = event.Records;
    // Records that are done with (processed, or parked in the DLQ); every other one is reported.
    const finished = new Set<SqsEventRecord>();
    try {
      const first = records[0];
      if (first === undefined) return { batchItemFailures: [] };
      const fifo = isFifoQueue(first.eventSourceARN);
      const work = runGroups(
        records,
        concurrency,
        (record, index) =>
          fifo ? `${record.eventSourceARN}#${record.attributes.MessageGroupId ?? ''}` : String(index),
        async (record) => {
          if (deadline.signal.aborted) return false;
          try {
            const queueUrl = options.queueUrl ?? (await setup.resolver.urlOfArn(record.eventSourceARN));
            if (deadline.signal.aborted) return false;
            const verdict = await processMessage(
              setup,
              toInbound(record, invokedAtMs),
              queueUrl,
              deadline.signal,
              undefined,
              deadline.signal,
            );
            if (verdict === 'ack') {
              finished.add(record);
              return true;
            }
          } catch (error) {
            report({ stage: 'handler', error, sqsMessageId: record.messageId });
          }
          return false;
        },
        (record) => {
          const queue = queueNameOf(record.eventSourceARN);
          const receiveCount = numericAttribute(record.attributes.ApproximateReceiveCount) ?? 1;
          safely(() =>
            metrics.recordOutcome({
              queue,
              type: undefined,
              outcome: 'skipped',
              poison: undefined,
              latencyMs: 0,
              ageMs: undefined,
              receiveCount,
            }),
          );
          setup.reportSettled({
            queue,
            sqsMessageId: record.messageId,
            outcome: 'skipped',
            latencyMs: 0,
            receiveCount,
          });
        },
      );
      await (returnBy === undefined ? work : Promise.race([work, returnBy.promise]));
      // A snapshot: whatever finishes after this point is reported failed and comes back (handlers
      // are idempotent), which is what Lambda would have done to the whole batch at its timeout.
      return {
        batchItemFailures: records
          .filter((record) => !finished.has(record))
          .map((record) => ({ itemIdentifier: record.messageId })),
      };
    } finally {
      if (giveUp !== undefined) clearTimeout(giveUp);
      returnBy?.cancel();
      try {
        const flushing = metrics.flush();
        // Never let a slow metrics sink push the invocation past its deadline.
        if (remaining === undefined) await flushing;
        else {
          const cutoff = timer(remaining - margin / 4 - (performance.now() - began));
          await Promise.race([flushing, cutoff.promise]);
          cutoff.cancel();
        }
      } catch (error) {
        report({ stage: 'metrics', error });
      }
    }
  };
}
