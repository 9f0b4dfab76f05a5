import type { MessageOutcome, QueueSnapshot } from './worker-metrics.js';

/** Counts of one queue between flushes (the metric names of both EMF sinks). */
export type OutcomeCounts = Record<'Processed' | 'Failed' | 'Retried' | 'Poison' | 'DeadLettered' | 'Skipped', number>;

/** What one queue reported between two flushes. */
export interface QueueAggregate {
  readonly counts: OutcomeCounts;
  /** Handler latencies (ms), a uniform sample of at most `maxSamples`. */
  readonly latencies: number[];
  seen: number;
  oldestAgeMs: number | undefined;
  snapshot: QueueSnapshot | undefined;
}

/**
 * Per-queue aggregation shared by the EMF sinks: counts, a reservoir sample of latencies, the
 * oldest age seen and the last snapshot. `take()` hands the aggregates over and starts afresh.
 */
export function createOutcomeAggregator(maxSamples: number, random: () => number) {
  let byQueue = new Map<string, QueueAggregate>();
  const aggregate = (queue: string): QueueAggregate => {
    let found = byQueue.get(queue);
    if (found === undefined) {
      found = {
        counts: { Processed: 0, Failed: 0, Retried: 0, Poison: 0, DeadLettered: 0, Skipped: 0 },
        latencies: [],
        seen: 0,
        oldestAgeMs: undefined,
        snapshot: undefined,
      };
      byQueue.set(queue, found);
    }
    return found;
  };
  return {
    recordOutcome(outcome: MessageOutcome): void {
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
    recordQueueSnapshot(snapshot: QueueSnapshot): void {
      aggregate(snapshot.queue).snapshot = snapshot;
    },
    take(): ReadonlyMap<string, QueueAggregate> {
      const current = byQueue;
      byQueue = new Map();
      return current;
    },
  };
}
