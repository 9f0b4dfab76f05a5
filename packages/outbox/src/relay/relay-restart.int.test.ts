import { SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue, type EmbeddedPostgres, startEmbeddedPostgres } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from '../outbox.js';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { eventually, receiveAll } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

// A real restart (SIGKILL of the postmaster, crash recovery, same port) of a private Postgres: the
// run's shared one must not be restarted under other test files.
const stack = useCheckoutStack();
let server: EmbeddedPostgres;
let pool: pg.Pool;
let db: Kysely<unknown>;
let sqs: SQSClient;
const outbox = createOutbox();
beforeAll(async () => {
  server = await startEmbeddedPostgres({ maxConnections: 30 });
  pool = new pg.Pool({ connectionString: server.url, max: 6, connectionTimeoutMillis: 1_000 });
  pool.on('error', () => {});
  db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  await outbox.migration().up(db);
  sqs = new SQSClient(stack.sqs.clientConfig);
}, 120_000);
afterAll(async () => {
  sqs?.destroy();
  await db?.destroy();
  await server?.stop();
});

/** Enqueues through its own short-lived client, retrying while the server is down. */
async function enqueue(destination: string, n: number): Promise<void> {
  await eventually(
    async () => {
      try {
        await db.transaction().execute((trx) => outbox.enqueue(trx, { destination, body: { n } }));
        return true;
      } catch {
        return false;
      }
    },
    30_000,
    100,
  );
}

describe('relay across a real Postgres restart', () => {
  it('a relay on a pool survives the restart on its own: every row published and marked sent', async () => {
    const queue = await createTestQueue(stack.sqs);
    const destination = `restart-${queue.name}`;
    const errors: unknown[] = [];
    const relay = createOutboxRelay({
      db,
      pool,
      outbox,
      publisher: createSqsPublisher({ client: sqs, queues: { [destination]: queue.queueUrl } }),
      listen: { connectionString: server.url, connectionTimeoutMillis: 1_000 },
      pollIntervalMs: 200,
      claimTimeoutMs: 2_000,
      observer: { error: (error) => errors.push(error) },
    });
    await relay.start();
    const seen = new Set<number>();
    const collect = async (count: number) => {
      const deadline = Date.now() + 30_000;
      while (seen.size < count && Date.now() < deadline) {
        for (const m of await receiveAll(sqs, queue.queueUrl, count - seen.size, 2_000)) {
          seen.add((JSON.parse(m.body) as { n: number }).n);
        }
      }
      return seen.size;
    };
    try {
      for (let n = 0; n < 10; n += 1) await enqueue(destination, n);
      expect(await collect(10)).toBe(10);
      // Rows committed just before the kill, and the kill itself while the relay polls.
      for (let n = 10; n < 20; n += 1) await enqueue(destination, n);
      const { downMs } = await server.restart({ downMs: 1_500 });
      expect(downMs).toBeGreaterThanOrEqual(1_500);
      for (let n = 20; n < 30; n += 1) await enqueue(destination, n);
      expect(await collect(30)).toBe(30);
      await eventually(async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM ${outbox.table.ref}
          WHERE destination = ${destination} AND (status <> 'sent' OR sent_at IS NULL)`.execute(db);
        return rows[0]?.n === 0;
      });
      expect(errors.length).toBeGreaterThan(0); // the lost connections were reported, not thrown
    } finally {
      const began = Date.now();
      await relay.stop();
      expect(Date.now() - began).toBeLessThan(10_000);
    }
  }, 120_000);
});
