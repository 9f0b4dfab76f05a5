import { MetricsLogger, StorageResolution, Unit } from 'aws-embedded-metrics';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer.js';
import { createOutcomeAggregator } from './outcome-aggregate.js';
import type { MessageOutcome, QueueSnapshot, WorkerMetrics } from './worker-metrics.js';

/** Options of {@link createEmfMetrics}. */
export interface EmfMetricsOptions {
  /** CloudWatch namespace. Default `Checkout/Workers`. */
  readonly namespace?: string;
  /** Receives each EMF JSON line. Default: `process.stdout` (what Lambda and the CloudWatch agent read). */
  readonly write?: (line: string) => void;
  /** Latency samples kept per queue between flushes (reservoir sampling beyond). Default 100. */
  readonly maxSamples?: number;
  /** Source of randomness for the reservoir; injectable for tests. */
  readonly random?: () => number;
}

/**
 * CloudWatch Embedded Metric Format output: per queue (dimension `Queue`), counts of Processed,
 * Failed, Retried, Poison, DeadLettered, Skipped, the HandlerLatency samples, the
 * OldestMessageAge seen (from `SentTimestamp`) and the last queue snapshot (QueueVisible,
 * QueueInFlight, QueueDelayed). Serialised by `aws-embedded-metrics` (AWS's EMF library), one
 * document per queue per flush. Nothing is written when nothing was recorded.
 *
 * @example
 * ```ts
 * import { type CommandRoute, createEmfMetrics, createSqsConsumer } from '@checkout/workers';
 *
 * declare const queueUrl: string;
 * declare const commands: readonly CommandRoute[];
 *
 * const consumer = createSqsConsumer({ queueUrl, commands, metrics: createEmfMetrics({ namespace: 'Shop/Workers' }) });
 * ```
 */
export function createEmfMetrics(options: EmfMetricsOptions = {}): WorkerMetrics {
  const namespace = options.namespace ?? 'Checkout/Workers';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const maxSamples = options.maxSamples ?? 100;
  const random = options.random ?? Math.random;
  const serializer = new LogSerializer();
  const aggregator = createOutcomeAggregator(maxSamples, random);
  // The environment is ours, so the library never probes EC2/ECS metadata endpoints.
  const environment = {
    probe: () => Promise.resolve(true),
    getName: () => 'checkout-workers',
    getType: () => 'checkout-workers',
    getLogGroupName: () => '',
    configureContext: () => {},
    getSink: () => ({
      name: 'checkout-workers',
      accept: (context: Parameters<LogSerializer['serialize']>[0]) => {
        for (const line of serializer.serialize(context)) write(line);
        return Promise.resolve();
      },
    }),
  };
  return {
    recordOutcome(outcome: MessageOutcome) {
      aggregator.recordOutcome(outcome);
    },
    recordQueueSnapshot(snapshot: QueueSnapshot) {
      aggregator.recordQueueSnapshot(snapshot);
    },
    async flush() {
      for (const [queue, entry] of aggregator.take()) {
        const logger = new MetricsLogger(() => Promise.resolve(environment));
        logger.setNamespace(namespace);
        logger.setDimensions({ Queue: queue });
        for (const [name, value] of Object.entries(entry.counts)) logger.putMetric(name, value, Unit.Count);
        for (const latency of entry.latencies) logger.putMetric('HandlerLatency', latency, Unit.Milliseconds);
        if (entry.oldestAgeMs !== undefined) {
          logger.putMetric('OldestMessageAge', entry.oldestAgeMs, Unit.Milliseconds, StorageResolution.Standard);
        }
        if (entry.snapshot !== undefined) {
          logger.putMetric('QueueVisible', entry.snapshot.visible, Unit.Count);
          logger.putMetric('QueueInFlight', entry.snapshot.inFlight, Unit.Count);
          logger.putMetric('QueueDelayed', entry.snapshot.delayed, Unit.Count);
        }
        await logger.flush();
      }
    },
  };
}
