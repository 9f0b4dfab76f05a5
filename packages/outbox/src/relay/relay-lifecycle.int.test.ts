import { createTestQueue } from '@checkout/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxConfigError, OutboxRelayStateError } from '../errors.js';
import type { OutboxPublisher } from '../publishers/publisher.js';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxFixture, eventually, type OutboxFixture, receiveAll } from '../test-support/outbox-fixture.js';
import type { RelayRoundResult } from './observer.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

describe('relay lifecycle', () => {
  it('wakes on NOTIFY (poll interval 60 s) and reports rounds to the observer', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `notify-${queue.name}`;
    const rounds: RelayRoundResult[] = [];
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
      listen: f.stack.postgres.url,
      pollIntervalMs: 60_000,
      observer: {
        roundCompleted: (round) => rounds.push(round),
        stats: () => {
          throw new Error('a throwing observer must not stop the relay');
        },
      },
      statsIntervalMs: 50,
    });
    await relay.start();
    await expect(relay.start()).rejects.toBeInstanceOf(OutboxRelayStateError);
    try {
      // Let the first (empty) poll pass so only a notification can wake the relay.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, body: { hello: 1 } }));
      const received = await receiveAll(f.sqs, queue.queueUrl, 1, 15_000);
      expect(received).toHaveLength(1);
      await eventually(() => rounds.some((r) => r.published === 1), 5_000);
      expect(rounds[0]).toMatchObject({ claimed: 1, published: 1, failed: 0, dead: 0 });
      expect(rounds[0]?.claimMs).toBeGreaterThanOrEqual(0);
    } finally {
      await relay.stop();
    }
  });

  it('stop() lets the round in flight finish: its rows are marked sent, and nothing runs afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    let inFlight!: () => void;
    const started = new Promise<void>((resolve) => {
      inFlight = resolve;
    });
    const slow: OutboxPublisher = {
      publish: async (entries) => {
        calls += 1;
        inFlight();
        await gate;
        return entries.map(() => ({ ok: true }) as const);
      },
    };
    const ids = await f.db
      .transaction()
      .execute((trx) => f.outbox.enqueue(trx, [{ destination: 'slow', groupKey: 'stop-g', body: 1 }]));
    const relay = createOutboxRelay({ db: f.db, outbox: f.outbox, publisher: slow, pollIntervalMs: 20 });
    await relay.start();
    await started;
    const stopped = relay.stop();
    release();
    await stopped;
    const { rows } = await sql<{
      status: string;
    }>`SELECT status FROM ${f.outbox.table.ref} WHERE id = ${ids[0]}::bigint`.execute(f.db);
    expect(rows[0]?.status).toBe('sent');
    const callsAtStop = calls;
    await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination: 'slow', body: 2 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toBe(callsAtStop);
  });

  it('rejects bad options with a typed error naming the option', () => {
    const base = { db: f.db, outbox: f.outbox, publisher: createSqsPublisher({ client: f.sqs, queues: {} }) };
    expect(() => createOutboxRelay({ ...base, batchSize: 0 })).toThrow(OutboxConfigError);
    expect(() => createOutboxRelay({ ...base, batchSize: 5000 })).toThrow(/batchSize/);
    expect(() => createOutboxRelay({ ...base, claimTimeoutMs: 1.5 })).toThrow(/claimTimeoutMs/);
    expect(() => createOutboxRelay({ ...base, onSent: 'archive' as 'keep' })).toThrow(/onSent/);
    expect(() => createSqsPublisher({ client: f.sqs, queues: {}, concurrency: 0 })).toThrow(/concurrency/);
  });

  it('an unknown destination fails that row (retried, then dead), never silently dropped', async () => {
    const [id] = await f.db
      .transaction()
      .execute((trx) => f.outbox.enqueue(trx, { destination: 'nowhere', groupKey: 'lost-g', body: 1 }));
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: {} }),
      maxAttempts: 1,
    });
    await eventually(async () => {
      await relay.runUntilIdle();
      const { rows } = await sql<{
        status: string;
      }>`SELECT status FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
      return rows[0]?.status === 'dead';
    });
    const { rows } = await sql<{ status: string; last_error: string }>`
      SELECT status, last_error FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
    expect(rows[0]).toMatchObject({ status: 'dead' });
    expect(rows[0]?.last_error).toContain('UnknownDestinationError');
    await f.outbox.requeueDead(f.db, { ids: [id as string] });
    await sql`DELETE FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
  });
});
