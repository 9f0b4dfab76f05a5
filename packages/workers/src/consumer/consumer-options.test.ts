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
});
