import { describe, expect, it } from 'vitest';
import { createEmfMetrics } from './emf-metrics.js';

describe('createEmfMetrics', () => {
  it('writes one EMF document per queue with counts, latency samples, oldest age and depth', async () => {
    const lines: string[] = [];
    const metrics = createEmfMetrics({ namespace: 'Test/Workers', write: (line) => lines.push(line), maxSamples: 3 });
    const base = { queue: 'orders', type: 'ChargeCard', poison: undefined, receiveCount: 1 } as const;
    for (let i = 0; i < 5; i += 1)
      metrics.recordOutcome({ ...base, outcome: 'processed', latencyMs: i, ageMs: 100 * i });
    metrics.recordOutcome({ ...base, outcome: 'dead-lettered', poison: 'unparseable', latencyMs: 1, ageMs: 50 });
    metrics.recordOutcome({ ...base, outcome: 'retried', latencyMs: 1, ageMs: 10 });
    metrics.recordQueueSnapshot({ queue: 'orders', visible: 7, inFlight: 2, delayed: 0 });
    await metrics.flush();
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] ?? '{}') as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
      };
    };
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('Test/Workers');
    expect(directive?.Dimensions).toEqual([['Queue']]);
    expect(doc).toMatchObject({ Queue: 'orders', Processed: 5, Failed: 2, Retried: 1, Poison: 1, DeadLettered: 1 });
    expect(doc.OldestMessageAge).toBe(400);
    expect(doc.QueueVisible).toBe(7);
    expect((doc.HandlerLatency as number[]).length).toBe(3);
    lines.length = 0;
    await metrics.flush();
    expect(lines).toHaveLength(0);
  });
});
