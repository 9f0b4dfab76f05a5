import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { InvalidOptionsError } from '../errors.js';
import { createEmfMetrics } from '../metrics/emf-metrics.js';
import { noMetrics, queueNameOf, safely, type WorkerMetrics } from '../metrics/worker-metrics.js';
import { type InboundMessage, numericAttribute } from '../processing/inbound-message.js';
import { processMessage } from '../processing/process-message.js';
import { createProcessingSetup, type ProcessingOptions } from '../processing/processing-options.js';
import { isFifoQueue } from '../processing/queue-resolver.js';
import { runGroups } from '../processing/run-groups.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import type { LambdaContextLike, SqsBatchResponse, SqsEvent, SqsEventRecord } from './sqs-event.js';

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
   * Errors the handler survived (handler failures, DLQ or visibility calls that failed). Default:
   * one `console.error` line per error (stage, SQS message id, error; never the body).
   */
  readonly onError?: (event: WorkerErrorEvent) => void;
  /** Handlers' `signal` aborts this long before the Lambda timeout. Default 1,000 ms. */
  readonly timeoutMarginMs?: number;
}

/** The Lambda function: `(event, context) => { batchItemFailures }`. */
export type SqsBatchHandler = (event: SqsEvent, context?: LambdaContextLike) => Promise<SqsBatchResponse>;

function toInbound(record: SqsEventRecord): InboundMessage {
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    messageAttributes[name] = {
      DataType: value.dataType,
      ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
      ...(value.binaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.binaryValue, 'base64') }),
    };
  }
  return {
    sqsMessageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount: numericAttribute(record.attributes.ApproximateReceiveCount) ?? 1,
    sentTimestamp: numericAttribute(record.attributes.SentTimestamp),
    messageGroupId: record.attributes.MessageGroupId,
    messageAttributes,
  };
}

/**
 * Creates a Lambda handler for an SQS event source with `ReportBatchItemFailures` enabled.
 *
 * - Records run concurrently up to `concurrency`; on FIFO queues records of one `MessageGroupId`
 *   run in order, and after a failure the rest of that group is reported failed, unrun, while
 *   other groups carry on.
 * - Poison (bad JSON, not an envelope, unknown type or version, schema-invalid) and
 *   `PermanentError` go to the DLQ at once with their reason and are acknowledged.
 * - Other errors: visibility set to an exponential backoff (with jitter, from
 *   `ApproximateReceiveCount`, capped at 12 h) and reported failed; the queue's redrive policy
 *   moves the message to the DLQ after `maxReceiveCount`.
 *
 * Every invocation keeps its state in its own call: a warm instance carries nothing from one
 * invocation to the next but configuration caches (queue URLs).
 */
export function createSqsBatchHandler(options: SqsBatchHandlerOptions): SqsBatchHandler {
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionsError('concurrency', 'must be an integer >= 1');
  }
  if (!Array.isArray(options.commands) || options.commands.length === 0) {
    throw new InvalidOptionsError('commands', 'give at least one handleCommand(...) route');
  }
  const margin = options.timeoutMarginMs ?? 1_000;
  const client = options.client ?? new SQSClient({});
  const metrics = options.metrics === false ? noMetrics : (options.metrics ?? createEmfMetrics());
  const onError =
    options.onError ??
    ((event: WorkerErrorEvent) =>
      console.error(`[checkout-workers] ${event.stage} error`, event.sqsMessageId ?? '', event.error));
  const setup = createProcessingSetup(client, options, metrics, (event) => onError(event));

  return async (event, context) => {
    const failures: Array<{ itemIdentifier: string }> = [];
    const controller = new AbortController();
    const remaining = context?.getRemainingTimeInMillis?.();
    const timer =
      remaining === undefined ? undefined : setTimeout(() => controller.abort(), Math.max(0, remaining - margin));
    try {
      const records = event.Records;
      const first = records[0];
      if (first === undefined) return { batchItemFailures: [] };
      const fifo = isFifoQueue(first.eventSourceARN);
      await runGroups(
        records,
        concurrency,
        (record, index) =>
          fifo ? `${record.eventSourceARN}#${record.attributes.MessageGroupId ?? ''}` : String(index),
        async (record) => {
          try {
            const queueUrl = options.queueUrl ?? (await setup.resolver.urlOfArn(record.eventSourceARN));
            const verdict = await processMessage(setup, toInbound(record), queueUrl, controller.signal);
            if (verdict === 'ack') return true;
          } catch (error) {
            safely(() => onError({ stage: 'handler', error, sqsMessageId: record.messageId }));
          }
          failures.push({ itemIdentifier: record.messageId });
          return false;
        },
        (record) => {
          failures.push({ itemIdentifier: record.messageId });
          safely(() =>
            metrics.recordOutcome({
              queue: queueNameOf(record.eventSourceARN),
              type: undefined,
              outcome: 'skipped',
              poison: undefined,
              latencyMs: 0,
              ageMs: undefined,
              receiveCount: numericAttribute(record.attributes.ApproximateReceiveCount) ?? 1,
            }),
          );
        },
      );
      return { batchItemFailures: failures };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      try {
        await metrics.flush();
      } catch (error) {
        safely(() => onError({ stage: 'metrics', error }));
      }
    }
  };
}
