import { describe, expect, it } from 'vitest';
import { WorkersConfigError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard } from '../test-support/commands.js';
import { createSqsConsumer } from './sqs-consumer.js';

const base = {
  queueUrl: 'http://127.0.0.1:9/000000000000/never-used',
  commands: [handleCommand(chargeCard, () => {})],
  metrics: false as const,
};

describe('createSqsConsumer: option values a timer cannot honour are typed errors', () => {
  it('refuses a rateLimit.perSecond of Infinity (the token bucket would compute NaN tokens and never start a handler)', () => {
    expect(() => createSqsConsumer({ ...base, rateLimit: { perSecond: Number.POSITIVE_INFINITY } })).toThrow(
      expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: 'rateLimit.perSecond' }),
    );
    expect(() => createSqsConsumer({ ...base, rateLimit: { perSecond: Number.NaN } })).toThrow(WorkersConfigError);
  });

  it('refuses intervals past what setInterval can wait (Node would fire every millisecond instead)', () => {
    for (const value of [Number.POSITIVE_INFINITY, 1e9, Number.NaN, -1]) {
      expect(() => createSqsConsumer({ ...base, metricsIntervalMs: value })).toThrow(
        expect.objectContaining({ field: 'metricsIntervalMs' }),
      );
      expect(() => createSqsConsumer({ ...base, snapshotIntervalMs: value })).toThrow(
        expect.objectContaining({ field: 'snapshotIntervalMs' }),
      );
    }
  });

  it('stop() refuses a timeoutMs that is negative, NaN or past what a timer can wait (Infinity would abandon at once)', async () => {
    const consumer = createSqsConsumer({ ...base, snapshotIntervalMs: 0 });
    for (const timeoutMs of [Number.POSITIVE_INFINITY, Number.NaN, -1]) {
      await expect(consumer.stop({ timeoutMs })).rejects.toThrow(expect.objectContaining({ field: 'timeoutMs' }));
    }
    await expect(consumer.stop({ timeoutMs: 0 })).resolves.toBeDefined();
  });

  it('names every duration option with its unit and checks it (Ms for ours, Seconds for SQS)', () => {
    const field = (name: string) => expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: name });
    expect(() => createSqsConsumer({ ...base, handlerTimeoutMs: 0 })).toThrow(field('handlerTimeoutMs'));
    expect(() => createSqsConsumer({ ...base, handlerTimeoutMs: 43_200_001 })).toThrow(field('handlerTimeoutMs'));
    expect(() => createSqsConsumer({ ...base, waitTimeSeconds: 5, receiveTimeoutMs: 5_000 })).toThrow(
      field('receiveTimeoutMs'),
    );
    expect(() => createSqsConsumer({ ...base, receiveTimeoutMs: 300_001 })).toThrow(field('receiveTimeoutMs'));
    expect(() => createSqsConsumer({ ...base, visibilityTimeoutSeconds: 1.5 })).toThrow(
      field('visibilityTimeoutSeconds'),
    );
    expect(() => createSqsConsumer({ ...base, visibilityTimeoutSeconds: 3, heartbeat: { intervalMs: 3_000 } })).toThrow(
      field('heartbeat.intervalMs'),
    );
    expect(() => createSqsConsumer({ ...base, backoff: { maxMs: 43_200_001 } })).toThrow(field('backoff.maxMs'));
    expect(() => createSqsConsumer({ ...base, observer: { error: 1 as unknown as () => void } })).toThrow(
      field('observer.error'),
    );
    expect(() =>
      createSqsConsumer({
        ...base,
        snapshotIntervalMs: 0,
        visibilityTimeoutSeconds: 3,
        heartbeat: { intervalMs: 2_999 },
        receiveTimeoutMs: 20_001,
        handlerTimeoutMs: 1,
      }),
    ).not.toThrow();
  });
});
