import { createTestQueue } from '@checkout/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { FlakyPublisher } from '../test-support/flaky-publisher.js';
import {
  createOutboxFixture,
  drain,
  eventually,
  type OutboxFixture,
  receiveAll,
} from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

async function statusOf(ids: readonly string[]) {
  const { rows } = await sql<{ id: string; status: string; attempts: number; last_error: string | null }>`
    SELECT o.id::text, status, attempts, last_error FROM ${f.outbox.table.ref} o WHERE o.id = ANY(${ids}::bigint[]) ORDER BY o.id`.execute(
    f.db,
  );
  return rows;
}

describe('relay', () => {
  it('publishes committed rows to a standard queue with body and attributes, and marks them sent', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `std-${queue.name}`;
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(
        trx,
        Array.from({ length: 25 }, (_, i) => ({
          destination,
          body: { n: i, text: 'héllo' },
          attributes: { type: 'Test', n: i },
        })),
      ),
    );
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
    });
    expect(await drain(relay, 25)).toBe(25);
    const received = await receiveAll(f.sqs, queue.queueUrl, 25);
    expect(received.map((m) => (JSON.parse(m.body) as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ text: 'héllo' });
    expect((await statusOf(ids)).every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true);
    expect(await f.outbox.stats(f.db)).toMatchObject({ pending: 0, dead: 0 });
  });

  it('late commit: a row whose transaction commits after a later one is still published, first in its group', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = `late-${queue.name}`;
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
    });
    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    let aInserted!: () => void;
    const aHasInserted = new Promise<void>((resolve) => {
      aInserted = resolve;
    });
    const a = f.db.transaction().execute(async (trx) => {
      await f.outbox.enqueue(trx, { destination, groupKey: 'order-late', body: { from: 'A' } });
      aInserted();
      await aMayCommit;
    });
    await aHasInserted;
    await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(trx, [
        { destination, groupKey: 'order-late', body: { from: 'B' } },
        { destination, groupKey: 'order-other', body: { from: 'B2' } },
      ]),
    );
    // B is committed but A (older) is still open: nothing may go yet, or A's row could be overtaken or skipped.
    expect((await relay.runUntilIdle()).published).toBe(0);
    releaseA();
    await a;
    expect(await drain(relay, 3)).toBe(3);
    const received = await receiveAll(f.sqs, queue.queueUrl, 3);
    const late = received
      .filter((m) => m.groupId === 'order-late')
      .map((m) => (JSON.parse(m.body) as { from: string }).from);
    expect(late).toEqual(['A', 'B']);
  });

  it('partial batch failure: only the failed row is retried, its group waits for it, then it goes dead, then requeueDead publishes it', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = `flaky-${queue.name}`;
    const flaky = new FlakyPublisher(createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }));
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: flaky,
      maxAttempts: 3,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    // Groups g0..g9, three rows each: one SendMessageBatch carries the first row of every group.
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(
        trx,
        Array.from({ length: 30 }, (_, i) => ({
          destination,
          groupKey: `g${i % 10}`,
          body: { g: i % 10, seq: Math.floor(i / 10) },
        })),
      ),
    );
    const idOf = (group: number, seq: number) => ids[seq * 10 + group] as string;
    flaky.failTimes(idOf(3, 1), 1); // fails once, then succeeds
    flaky.failTimes(idOf(7, 0), 99); // fails until dead
    let first = await relay.runOnce();
    // Another test file's open transaction may hold the fence for a moment: wait for a real round.
    while (first.published + first.failed === 0) first = await relay.runOnce();
    expect(first.failed).toBe(2);
    // After g3's second row failed, g3's third row was not offered in that round.
    expect(flaky.log.filter((e) => e.id === idOf(3, 2))).toEqual([]);
    expect(flaky.log.filter((e) => e.id === idOf(7, 1))).toEqual([]);
    await eventually(async () => {
      await relay.runUntilIdle();
      return (await statusOf([idOf(7, 0)]))[0]?.status === 'dead' && (await f.outbox.stats(f.db)).retrying === 0;
    }, 30_000);
    expect(flaky.sameGroupInOneCall).toEqual([]);
    // The successful rows were each published exactly once.
    const okCounts = new Map<string, number>();
    for (const entry of flaky.log) if (entry.ok) okCounts.set(entry.id, (okCounts.get(entry.id) ?? 0) + 1);
    for (const id of ids) if (!id.startsWith('x')) expect(okCounts.get(id) ?? 0).toBeLessThanOrEqual(1);
    const dead = await statusOf([idOf(7, 0)]);
    expect(dead[0]).toMatchObject({ status: 'dead', attempts: 3, last_error: 'InjectedFailure: chosen by the test' });
    // Order over progress: g7's later rows wait behind the dead row, and the stats say so.
    expect((await statusOf([idOf(7, 1), idOf(7, 2)])).map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(await f.outbox.stats(f.db)).toMatchObject({ dead: 1, blockedByDead: 2 });
    const received = await receiveAll(f.sqs, queue.queueUrl, 27);
    expect(received).toHaveLength(27);
    flaky.failures.clear();
    expect(await f.outbox.requeueDead(f.db, { groupKey: 'g7' })).toBe(1);
    await drain(relay, 3);
    const rest = await receiveAll(f.sqs, queue.queueUrl, 3);
    const all = [...received, ...rest];
    for (let g = 0; g < 10; g += 1) {
      const seqs = all.filter((m) => m.groupId === `g${g}`).map((m) => (JSON.parse(m.body) as { seq: number }).seq);
      expect(seqs, `group g${g}`).toEqual([0, 1, 2]);
    }
    expect(await f.outbox.stats(f.db)).toMatchObject({ pending: 0, dead: 0, blockedByDead: 0 });
  });

  it('a long transaction elsewhere holds the fence, and stats show the growing age; onSent delete removes rows', async () => {
    let release!: () => void;
    const mayCommit = new Promise<void>((resolve) => {
      release = resolve;
    });
    let began!: () => void;
    const hasXid = new Promise<void>((resolve) => {
      began = resolve;
    });
    // Any writing transaction (here: an unrelated insert) that stays open.
    const blocker = f.db.transaction().execute(async (trx) => {
      await trx.withSchema(f.schema).insertInto('orders').values({ note: 'slow batch job' }).execute();
      began();
      await mayCommit;
    });
    await hasXid;
    const [id] = await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination: 'fence', body: 1 }));
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: { publish: async (entries) => entries.map(() => ({ ok: true }) as const) },
      onSent: 'delete',
    });
    expect((await relay.runUntilIdle()).published).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stuck = await f.outbox.stats(f.db);
    expect(stuck.pending).toBeGreaterThanOrEqual(1);
    expect(stuck.oldestPendingAgeMs).toBeGreaterThanOrEqual(40);
    release();
    await blocker;
    expect(await drain(relay, 1)).toBe(1);
    expect(await statusOf([id as string])).toEqual([]);
  });

  it('cleanup removes only sent rows past retention, in batches', async () => {
    const destination = 'cleanup-dest';
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(
        trx,
        Array.from({ length: 25 }, (_, i) => ({ destination, body: { i } })),
      ),
    );
    const old = ids.slice(0, 12);
    const recent = ids.slice(12, 20);
    const pending = ids.slice(20);
    await sql`UPDATE ${f.outbox.table.ref} SET status = 'sent', sent_at = now() - interval '2 hours' WHERE id = ANY(${old}::bigint[])`.execute(
      f.db,
    );
    await sql`UPDATE ${f.outbox.table.ref} SET status = 'sent', sent_at = now() WHERE id = ANY(${recent}::bigint[])`.execute(
      f.db,
    );
    await sql`UPDATE ${f.outbox.table.ref} SET status = 'dead', created_at = now() - interval '3 hours' WHERE id = ${pending[0]}::bigint`.execute(
      f.db,
    );
    // Batches of 5 with at most 2 batches: exactly 10 of the 12 go in this call.
    expect(await f.outbox.cleanup(f.db, { retentionMs: 3_600_000, batchSize: 5, maxBatches: 2 })).toBe(10);
    expect(await f.outbox.cleanup(f.db, { retentionMs: 3_600_000, batchSize: 5 })).toBe(2);
    const left = await statusOf(ids);
    expect(left.map((r) => r.id)).toEqual([...recent, ...pending]);
    await sql`DELETE FROM ${f.outbox.table.ref} WHERE id = ANY(${ids}::bigint[])`.execute(f.db);
  });
});
