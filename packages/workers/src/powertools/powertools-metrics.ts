import { WorkersConfigError } from '../errors.js';
import { createOutcomeAggregator } from '../metrics/outcome-aggregate.js';
import type { MessageOutcome, QueueSnapshot, WorkerMetrics } from '../metrics/worker-metrics.js';

/**
 * The part of a Powertools `Metrics` (`@aws-lambda-powertools/metrics` 2.x) the workers use; a
 * `Metrics` instance fits it. Declared here so `@checkout/workers` needs no Powertools at runtime.
 */
export interface PowertoolsMetricsLike {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  addDimension(name: string, value: string): unknown;
  publishStoredMetrics(): unknown;
}

/** Options of {@link createPowertoolsMetrics}. */
export interface PowertoolsMetricsOptions {
  /**
   * `true` (default): each `flush()` publishes one EMF document per queue through your `Metrics`
   * (its namespace, service and default dimensions, plus a `Queue` dimension), like the default
   * sink does. `false`: the metrics are added to your `Metrics` buffer without a `Queue` dimension
   * and your `logMetrics` middleware (or `publishStoredMetrics()`) publishes them with your own
   * metrics in one document: the Lambda way, where a function reads one queue.
   */
  readonly publish?: boolean;
  /** Latency samples kept per queue between flushes (reservoir sampling beyond), 1 to 99. Default 50. */
  readonly maxSamples?: number;
  /** Source of randomness for the reservoir; injectable for tests. */
  readonly random?: () => number;
}

// Powertools publishes on its own once one metric holds 100 values: stay below, so a flush is one document.
const MAX_SAMPLES = 99;

/**
 * A `WorkerMetrics` sink writing through a Powertools `Metrics` instance instead of
 * `aws-embedded-metrics`: one EMF stream with your namespace, service and default dimensions. The
 * same metric names as `createEmfMetrics`: counts Processed, Failed, Retried, Poison, DeadLettered,
 * Skipped, the HandlerLatency samples (ms), OldestMessageAge (ms) and, from queue snapshots,
 * QueueVisible, QueueInFlight, QueueDelayed. Nothing is added when nothing was recorded.
 *
 * @throws WorkersConfigError naming `metrics`, `maxSamples` or `random` when one is unusable.
 * @example
 * ```ts
 * import { Metrics } from '@aws-lambda-powertools/metrics';
 * import { type CommandRoute, createSqsConsumer } from '@checkout/workers';
 * import { createPowertoolsMetrics } from '@checkout/workers/powertools';
 *
 * declare const queueUrl: string;
 * declare const commands: readonly CommandRoute[];
 *
 * const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
 * const consumer = createSqsConsumer({ queueUrl, commands, metrics: createPowertoolsMetrics(metrics) });
 * ```
 */
export function createPowertoolsMetrics(
  metrics: PowertoolsMetricsLike,
  options: PowertoolsMetricsOptions = {},
): WorkerMetrics {
  for (const method of ['addMetric', 'addDimension', 'publishStoredMetrics'] as const) {
    if (typeof metrics?.[method] !== 'function') {
      throw new WorkersConfigError('metrics', `must be a Powertools Metrics instance (no ${method} method)`);
    }
  }
  const publish = options.publish ?? true;
  if (typeof publish !== 'boolean') throw new WorkersConfigError('publish', 'must be a boolean');
  const maxSamples = options.maxSamples ?? 50;
  if (!Number.isInteger(maxSamples) || maxSamples < 1 || maxSamples > MAX_SAMPLES) {
    throw new WorkersConfigError('maxSamples', `must be an integer from 1 to ${MAX_SAMPLES}`);
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new WorkersConfigError('random', 'must be a function');
  const aggregator = createOutcomeAggregator(maxSamples, random);
  return {
    recordOutcome(outcome: MessageOutcome) {
      aggregator.recordOutcome(outcome);
    },
    recordQueueSnapshot(snapshot: QueueSnapshot) {
      aggregator.recordQueueSnapshot(snapshot);
    },
    async flush() {
      for (const [queue, entry] of aggregator.take()) {
        if (publish) metrics.addDimension('Queue', queue);
        for (const [name, value] of Object.entries(entry.counts)) metrics.addMetric(name, 'Count', value);
        for (const latency of entry.latencies) metrics.addMetric('HandlerLatency', 'Milliseconds', latency);
        if (entry.oldestAgeMs !== undefined) metrics.addMetric('OldestMessageAge', 'Milliseconds', entry.oldestAgeMs);
        if (entry.snapshot !== undefined) {
          metrics.addMetric('QueueVisible', 'Count', entry.snapshot.visible);
          metrics.addMetric('QueueInFlight', 'Count', entry.snapshot.inFlight);
          metrics.addMetric('QueueDelayed', 'Count', entry.snapshot.delayed);
        }
        if (publish) metrics.publishStoredMetrics();
      }
    },
  };
}
