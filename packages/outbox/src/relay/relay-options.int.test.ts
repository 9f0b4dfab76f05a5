import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

describe('createOutboxRelay: backoff and cleanup options are checked up front', () => {
  const bad = [Number.NaN, -1, Number.POSITIVE_INFINITY, 1.5];
  it('refuses a bad backoff.baseMs / backoff.maxMs (NaN would reach SQL as the retry delay) naming the option', () => {
    const base = { db: f.db, outbox: f.outbox, publisher: createSqsPublisher({ client: f.sqs, queues: {} }) };
    // Core's rule: finite and >= 0 (a fraction is fine: delays are rounded to whole ms).
    for (const value of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => createOutboxRelay({ ...base, backoff: { baseMs: value } })).toThrow(
        expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'backoff.baseMs' }),
      );
      expect(() => createOutboxRelay({ ...base, backoff: { maxMs: value } })).toThrow(
        expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'backoff.maxMs' }),
      );
    }
  });

  it('refuses a cleanup.intervalMs a timer cannot honour (0, NaN, Infinity would run cleanup every millisecond)', () => {
    const base = { db: f.db, outbox: f.outbox, publisher: createSqsPublisher({ client: f.sqs, queues: {} }) };
    for (const value of [0, ...bad, 2 ** 31]) {
      expect(() => createOutboxRelay({ ...base, cleanup: { retentionMs: 1000, intervalMs: value } })).toThrow(
        expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'cleanup.intervalMs' }),
      );
    }
  });

  it('refuses bad cleanup options at construction, not on every timer tick', () => {
    const base = { db: f.db, outbox: f.outbox, publisher: createSqsPublisher({ client: f.sqs, queues: {} }) };
    expect(() => createOutboxRelay({ ...base, cleanup: { retentionMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'cleanup.retentionMs' }),
    );
  });
});
