import { createTestQueue } from '@checkout/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import {
  createOutboxFixture,
  eventually,
  type OutboxFixture,
  type Received,
  receiveAll,
} from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture({ poolSize: 16 });
});
afterAll(async () => {
  await f.close();
});

const WRITERS = 8;
const ROWS_PER_WRITER = 500;
const GROUPS = 50;

describe('N relays', () => {
  it('8 writers x 500 rows over 50 groups, 3 relays into a FIFO queue: all delivered, per-group order kept', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = 'orders-fifo';
    // Per-group sequence: the UPDATE serialises writers of one group (as an aggregate's row lock
    // does), so `seq` is the group's commit order.
    await sql`CREATE TABLE ${sql.id(f.schema, 'group_seq')} (g text PRIMARY KEY, n int NOT NULL)`.execute(f.db);
    await sql`INSERT INTO ${sql.id(f.schema, 'group_seq')} SELECT 'g' || i, 0 FROM generate_series(0, ${GROUPS - 1}) i`.execute(
      f.db,
    );
    const sqsPublisher = createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } });
    const sent: Array<{ g: string; seq: number; relay: number }> = [];
    const relays = Array.from({ length: 3 }, (_, relay) =>
      createOutboxRelay({
        db: f.db,
        outbox: f.outbox,
        publisher: {
          // Records what each relay handed to SQS, to check order at the source as well as at the queue.
          publish: async (entries, signal) => {
            const outcomes = await sqsPublisher.publish(entries, signal);
            entries.forEach((entry, i) => {
              const { g, seq } = JSON.parse(entry.body) as { g: string; seq: number };
              if (outcomes[i]?.ok === true) sent.push({ g, seq, relay });
            });
            return outcomes;
          },
        },
        listen: f.stack.postgres.url,
        pollIntervalMs: 200,
        batchSize: 50,
      }),
    );
    for (const relay of relays) await relay.start();

    const received: Received[] = [];
    let writing = true;
    const consumer = (async () => {
      while (writing || received.length < WRITERS * ROWS_PER_WRITER) {
        const batch = await receiveAll(f.sqs, queue.queueUrl, 1, 2_000);
        received.push(...batch);
        if (!writing && batch.length === 0 && received.length >= WRITERS * ROWS_PER_WRITER) break;
      }
    })();

    const writer = async (w: number) => {
      let written = 0;
      let round = 0;
      while (written < ROWS_PER_WRITER) {
        const count = Math.min(1 + ((w + round) % 5), ROWS_PER_WRITER - written);
        const group = `g${(w * 7 + round * 13) % GROUPS}`;
        round += 1;
        await f.db.transaction().execute(async (trx) => {
          // Half the transactions take an xid before locking the group (like an idempotency insert).
          if (round % 2 === 0)
            await trx
              .withSchema(f.schema)
              .insertInto('orders')
              .values({ note: `w${w}` })
              .execute();
          const { rows } = await sql<{ n: number }>`
            UPDATE ${sql.id(f.schema, 'group_seq')} SET n = n + ${count} WHERE g = ${group} RETURNING n`.execute(trx);
          const last = rows[0]?.n ?? 0;
          await f.outbox.enqueue(
            trx,
            Array.from({ length: count }, (_, i) => ({
              destination,
              groupKey: group,
              body: { g: group, seq: last - count + 1 + i },
            })),
          );
        });
        written += count;
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    writing = false;
    await eventually(async () => (await f.outbox.stats(f.db)).pending === 0, 60_000, 200);
    await consumer;
    for (const relay of relays) await relay.stop();

    const unique = new Set(received.map((m) => m.dedupId));
    expect(unique.size).toBe(WRITERS * ROWS_PER_WRITER);
    const byGroup = new Map<string, number[]>();
    for (const message of received) {
      const { g, seq } = JSON.parse(message.body) as { g: string; seq: number };
      expect(message.groupId).toBe(g);
      const seqs = byGroup.get(g) ?? [];
      seqs.push(seq);
      byGroup.set(g, seqs);
    }
    // Work was shared: every relay published something.
    expect(new Set(sent.map((s) => s.relay)).size).toBe(3);
    for (let g = 0; g < GROUPS; g += 1) {
      const seqs = sent.filter((s) => s.g === `g${g}`).map((s) => s.seq);
      expect(seqs, `sent order of g${g}`).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    for (const [group, seqs] of byGroup) {
      // Strictly ascending as received from the queue, no gaps: commit order, nothing lost or repeated.
      expect(seqs, group).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    expect(await f.outbox.stats(f.db)).toMatchObject({ pending: 0, dead: 0 });
  });
});
