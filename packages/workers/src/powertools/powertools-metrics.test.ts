import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageOutcome } from '../metrics/worker-metrics.js';
import { captureOutput } from '../test-support/capture-output.js';
import { createPowertoolsMetrics } from './powertools-metrics.js';

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
};

const outcome = (queue: string, overrides: Partial<MessageOutcome> = {}): MessageOutcome => ({
  queue,
  type: 'ChargeCard',
  outcome: 'processed',
  poison: undefined,
  latencyMs: 12,
  ageMs: 300,
  receiveCount: 1,
  ...overrides,
});

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

describe('createPowertoolsMetrics (a real Powertools Metrics instance)', () => {
  it('publishes one EMF document per queue through the Metrics instance: its namespace and service, a Queue dimension, our names', async () => {
    output = captureOutput();
    const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
    const sink = createPowertoolsMetrics(metrics);
    sink.recordOutcome(outcome('orders'));
    sink.recordOutcome(outcome('orders', { outcome: 'retried', latencyMs: 40, ageMs: 900 }));
    sink.recordOutcome(outcome('orders', { outcome: 'dead-lettered', poison: 'unparseable', latencyMs: 1 }));
    sink.recordOutcome(outcome('receipts'));
    sink.recordQueueSnapshot({ queue: 'orders', visible: 7, inFlight: 2, delayed: 1 });
    await sink.flush();
    output.restore();
    const docs = output.json().filter((line) => '_aws' in line) as Emf[];
    expect(docs).toHaveLength(2);
    const orders = docs.find((doc) => doc.Queue === 'orders');
    expect(orders?._aws.CloudWatchMetrics[0]?.Namespace).toBe('Shop');
    expect(orders?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'Queue']]);
    expect(orders).toMatchObject({
      service: 'payments',
      Processed: 1,
      Retried: 1,
      DeadLettered: 1,
      Failed: 2,
      Poison: 1,
      Skipped: 0,
      OldestMessageAge: 900,
      QueueVisible: 7,
      QueueInFlight: 2,
      QueueDelayed: 1,
    });
    expect(orders?.HandlerLatency).toEqual([12, 40, 1]);
    const units = Object.fromEntries(
      (orders?._aws.CloudWatchMetrics[0]?.Metrics ?? []).map((metric) => [metric.Name, metric.Unit]),
    );
    expect(units).toMatchObject({
      Processed: 'Count',
      HandlerLatency: 'Milliseconds',
      OldestMessageAge: 'Milliseconds',
    });
    expect(docs.find((doc) => doc.Queue === 'receipts')).toMatchObject({ Processed: 1, service: 'payments' });
  });

  it("with publish: false adds to the buffer, so the user's publishStoredMetrics emits ours and theirs in one document", async () => {
    output = captureOutput();
    const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
    const sink = createPowertoolsMetrics(metrics, { publish: false });
    metrics.addMetric('OrdersPlaced', 'Count', 3);
    sink.recordOutcome(outcome('orders'));
    sink.recordOutcome(outcome('orders'));
    await sink.flush();
    expect(output.json().filter((line) => '_aws' in line)).toHaveLength(0);
    metrics.publishStoredMetrics();
    output.restore();
    const docs = output.json().filter((line) => '_aws' in line) as Emf[];
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ OrdersPlaced: 3, Processed: 2, service: 'payments' });
    expect(docs[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
  });

  it('adds nothing when nothing was recorded, and keeps at most maxSamples latencies', async () => {
    output = captureOutput();
    const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
    const sink = createPowertoolsMetrics(metrics, { maxSamples: 3, random: () => 0.99 });
    await sink.flush();
    expect(metrics.hasStoredMetrics()).toBe(false);
    for (let i = 0; i < 10; i += 1) sink.recordOutcome(outcome('orders', { latencyMs: i }));
    await sink.flush();
    output.restore();
    const doc = output.json().find((line) => '_aws' in line);
    expect(doc?.HandlerLatency).toHaveLength(3);
    expect(doc?.Processed).toBe(10);
  });

  it('refuses what it cannot use, naming the option', () => {
    const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
    const cases: ReadonlyArray<readonly [() => unknown, string]> = [
      [() => createPowertoolsMetrics({} as Metrics), 'metrics'],
      [() => createPowertoolsMetrics(metrics, { maxSamples: 100 }), 'maxSamples'],
      [() => createPowertoolsMetrics(metrics, { maxSamples: 0 }), 'maxSamples'],
      [() => createPowertoolsMetrics(metrics, { publish: 'yes' as unknown as boolean }), 'publish'],
    ];
    for (const [make, field] of cases) {
      expect(make).toThrow(expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field }));
    }
  });
});
