import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';
import { SqsPublisher } from '../publishers/sqs-publisher.js';
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
    const base = { db: f.db, outbox: f.outbox, publisher: new SqsPublisher({ client: f.sqs, queues: {} }) };
    for (const value of bad) {
      expect(() => createOutboxRelay({ ...base, backoff: { baseMs: value } })).toThrow(
        expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'backoff.baseMs' }),
      );
      expect(() => createOutboxRelay({ ...base, backoff: { maxMs: value } })).toThrow(
        expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'backoff.maxMs' }),
      );
    }
  });

  it('refuses a cleanup.intervalMs a timer cannot honour (0, NaN, Infinity would run cleanup every millisecond)', () => {
    const base = { db: f.db, outbox: f.outbox, publisher: new SqsPublisher({ client: f.sqs, queues: {} }) };
    for (const value of [0, ...bad, 2 ** 31]) {
      expect(() => createOutboxRelay({ ...base, cleanup: { retentionMs: 1000, intervalMs: value } })).toThrow(
        expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'cleanup.intervalMs' }),
      );
    }
  });

  it('refuses bad cleanup options at construction, not on every timer tick', () => {
    const base = { db: f.db, outbox: f.outbox, publisher: new SqsPublisher({ client: f.sqs, queues: {} }) };
    expect(() => createOutboxRelay({ ...base, cleanup: { retentionMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'cleanup.retentionMs' }),
    );
  });
});
