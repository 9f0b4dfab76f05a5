import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import { type BackoffOptions, resolveBackoff } from './backoff.js';
import { requestTimeoutMs } from './call-timeout.js';
import type { CommandRoute } from './command-route.js';
import { type ProcessingSetup, routeIndex } from './process-message.js';
import { createQueueResolver } from './queue-resolver.js';
import type { WorkerErrorEvent } from './worker-error.js';

/** What to run and how failures are treated: shared by the Lambda handler and the long-poll consumer. */
export interface ProcessingOptions {
  /** Handlers, one per command type (`handleCommand(definition, fn)`). */
  readonly commands: readonly CommandRoute[];
  /** DLQ for poison and permanent failures; default the source queue's redrive-policy target. */
  readonly deadLetterQueueUrl?: string;
  /** Backoff of transient failures. Default base 2 s, cap 12 h. */
  readonly backoff?: BackoffOptions;
  /** Classify third-party errors as permanent (besides `PermanentError`). */
  readonly isPermanent?: (error: unknown) => boolean;
  /** Randomness for backoff jitter; injectable for tests. */
  readonly random?: () => number;
  /** Wall clock in epoch milliseconds (visibility caps, message age); injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Bound of every SQS call other than the consumer's long poll (DLQ lookups and sends, visibility
   * changes, deletes, heartbeats, queue snapshots), in seconds: a call unanswered by then (a
   * half-open connection) is aborted, retries included, and fails like any SQS error of its stage,
   * reported to the error hook as a `RequestTimeoutError` naming the operation. Default 30, at
   * most 300.
   */
  readonly requestTimeoutSeconds?: number;
}

/** Validates {@link ProcessingOptions} and builds what `processMessage` needs. */
export function createProcessingSetup(
  client: SQSClient,
  options: ProcessingOptions,
  metrics: WorkerMetrics,
  reportError: (event: WorkerErrorEvent) => void,
): ProcessingSetup {
  const timeoutMs = requestTimeoutMs(options.requestTimeoutSeconds);
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
  };
}
