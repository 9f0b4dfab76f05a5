import { MetricsLogger, StorageResolution, Unit } from 'aws-embedded-metrics';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer.js';
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

interface QueueAggregate {
  counts: Record<'Processed' | 'Failed' | 'Retried' | 'Poison' | 'DeadLettered' | 'Skipped', number>;
  latencies: number[];
  seen: number;
  oldestAgeMs: number | undefined;
  snapshot: QueueSnapshot | undefined;
}

const fresh = (): QueueAggregate => ({
  counts: { Processed: 0, Failed: 0, Retried: 0, Poison: 0, DeadLettered: 0, Skipped: 0 },
  latencies: [],
  seen: 0,
  oldestAgeMs: undefined,
  snapshot: undefined,
});

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
  let byQueue = new Map<string, QueueAggregate>();
  const aggregate = (queue: string) => {
    let found = byQueue.get(queue);
    if (found === undefined) {
      found = fresh();
      byQueue.set(queue, found);
    }
    return found;
  };
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
      const entry = aggregate(outcome.queue);
      if (outcome.outcome === 'processed') entry.counts.Processed += 1;
      if (outcome.outcome === 'retried') entry.counts.Retried += 1;
      if (outcome.outcome === 'dead-lettered') entry.counts.DeadLettered += 1;
      if (outcome.outcome === 'skipped') entry.counts.Skipped += 1;
      if (outcome.outcome === 'retried' || outcome.outcome === 'dead-lettered') entry.counts.Failed += 1;
      if (outcome.poison !== undefined) entry.counts.Poison += 1;
      if (outcome.ageMs !== undefined) entry.oldestAgeMs = Math.max(entry.oldestAgeMs ?? 0, outcome.ageMs);
      if (outcome.outcome !== 'skipped') {
        entry.seen += 1;
        if (entry.latencies.length < maxSamples) entry.latencies.push(outcome.latencyMs);
        else {
          const slot = Math.floor(random() * entry.seen);
          if (slot < maxSamples) entry.latencies[slot] = outcome.latencyMs;
        }
      }
    },
    recordQueueSnapshot(snapshot: QueueSnapshot) {
      aggregate(snapshot.queue).snapshot = snapshot;
    },
    async flush() {
      const current = byQueue;
      byQueue = new Map();
      for (const [queue, entry] of current) {
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
