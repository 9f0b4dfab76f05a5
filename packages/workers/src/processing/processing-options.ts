import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BackoffOptions } from '@checkout/core';
import { otel } from '@checkout/core';
import { WorkersConfigError } from '../errors.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import type { WorkerTracingOptions } from '../tracing/process-span.js';
import { resolveBackoff } from './backoff.js';
import { resolveRequestTimeoutMs } from './call-timeout.js';
import type { CommandRoute } from './command-route.js';
import { type ProcessingSetup, routeIndex } from './process-message.js';
import { createQueueResolver } from './queue-resolver.js';
import { errorReporter, settledNotifier, type WorkerObserver } from './worker-error.js';

/** What to run and how failures are treated: shared by the Lambda handler and the long-poll consumer. */
export interface ProcessingOptions {
  /** Handlers, one per command type (`handleCommand(definition, fn)`). */
  readonly commands: readonly CommandRoute[];
  /** DLQ for poison and permanent failures; default the source queue's redrive-policy target. */
  readonly deadLetterQueueUrl?: string;
  /**
   * Backoff of transient failures (core's `BackoffOptions`). Default `{ baseMs: 2_000, maxMs:
   * 43_200_000 }` (12 h, SQS's limit, also the largest `maxMs`). Equal jitter: the n-th failed
   * delivery waits uniformly in [d/2, d] with d = baseMs * 2^(n - 1), capped at `maxMs`, rounded up
   * to whole seconds (SQS's `ChangeMessageVisibility` unit).
   */
  readonly backoff?: BackoffOptions;
  /** Classify third-party errors as permanent (besides `PermanentError`). */
  readonly isPermanent?: (error: unknown) => boolean;
  /** Randomness of the backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Bound of every SQS call other than the consumer's long poll (DLQ lookups and sends, visibility
   * changes, deletes, heartbeats, queue snapshots), in milliseconds: a call unanswered by then (a
   * half-open connection) is aborted, retries included, and fails like any SQS error of its stage,
   * reported to `observer.error` as a `RequestTimeoutError` naming the operation. Default 30,000,
   * at most 300,000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Hooks: `observer.error` gets every error the worker survived (default: one `console.error` line
   * each), `observer.settled` every delivery done with. `createPowertoolsObserver(logger)` of
   * `@checkout/workers/powertools` logs both through a Powertools `Logger`.
   */
  readonly observer?: WorkerObserver;
  /**
   * OpenTelemetry (when `@opentelemetry/api` is installed and a tracer provider registered): each
   * message is handled inside a CONSUMER span `<queue> process` linked to the producer's context
   * (the `traceparent` attribute, else `AWSTraceHeader`, else the envelope's `traceparent`).
   * `{ useProducerAsParent: true }` makes that context its parent too. See `WorkerTracingOptions`.
   */
  readonly tracing?: WorkerTracingOptions;
}

function optionalFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new WorkersConfigError(name, 'must be a function');
}

/** Validates {@link ProcessingOptions} and builds what `processMessage` needs. */
export function createProcessingSetup(
  client: SQSClient,
  options: ProcessingOptions,
  metrics: WorkerMetrics,
): ProcessingSetup {
  const timeoutMs = resolveRequestTimeoutMs(options.requestTimeoutMs);
  optionalFunction('isPermanent', options.isPermanent);
  optionalFunction('random', options.random);
  optionalFunction('now', options.now);
  const tracing = options.tracing ?? {};
  if (typeof tracing !== 'object' || tracing === null) {
    throw new WorkersConfigError('tracing', 'must be an object { useProducerAsParent? }');
  }
  if (tracing.useProducerAsParent !== undefined && typeof tracing.useProducerAsParent !== 'boolean') {
    throw new WorkersConfigError('tracing.useProducerAsParent', 'must be a boolean');
  }
  // Load the optional API now, not on the first message (its load would delay that message).
  otel();
  const reportError = errorReporter(options.observer);
  const reportSettled = settledNotifier(options.observer);
  return {
    client,
    requestTimeoutMs: timeoutMs,
    ...routeIndex(options.commands),
    resolver: createQueueResolver(client, options.deadLetterQueueUrl, timeoutMs),
    backoff: resolveBackoff(options.backoff),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    isPermanent: options.isPermanent ?? (() => false),
    metrics,
    reportError,
    reportSettled,
    tracing: { useProducerAsParent: tracing.useProducerAsParent === true },
  };
}
