import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxPublisher } from '../publishers/publisher.js';
import { createOutboxFixture, drain, type OutboxFixture } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
let pool: pg.Pool;
let db: Kysely<Record<string, never>>;
/** Tells this file's relay sessions apart from other test files' on the shared cluster. */
const APP = `relay-pool-rt-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
/** Every statement text the relay's pool clients ran, in order. */
const statements: string[] = [];

beforeAll(async () => {
  f = await createOutboxFixture();
  pool = new pg.Pool({ connectionString: f.stack.postgres.url, max: 4, application_name: APP });
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text);
      statements.push(text);
      return query(...args);
    };
  });
  db = new Kysely({ dialect: new PostgresDialect({ pool }) });
});
afterAll(async () => {
  await db.destroy();
  await f.close();
});

const hostileError = 'it\'s a "bad" \\ day; -- ünï 😀 $1';

describe('a relay given its pool', () => {
  it('runs a round in three round trips (BEGIN + claim, the in-flight record, the mark + COMMIT), with the same outcomes', async () => {
    const failing = new Set<string>();
    const accepted: string[] = [];
    const publisher: OutboxPublisher = {
      publish: async (entries) =>
        entries.map((entry) => {
          if (failing.has(entry.id)) return { ok: false, error: hostileError };
          accepted.push(entry.id);
          return { ok: true };
        }),
    };
    const relay = createOutboxRelay({ db, pool, outbox: f.outbox, publisher, backoff: { baseMs: 1, maxMs: 1 } });
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(trx, [
        { destination: 'd', groupKey: 'a', body: { n: 1 } },
        { destination: 'd', groupKey: 'b', body: { n: 2 } },
        { destination: 'd', body: { n: 3 } },
      ]),
    );
    failing.add(ids[1] as string);
    let round = await relay.runOnce();
    // Another test file's open transaction may hold the visibility fence for a moment.
    for (let tries = 0; round.claimed === 0 && tries < 200; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      statements.length = 0;
      round = await relay.runOnce();
    }
    expect(round).toMatchObject({ claimed: 3, published: 2, failed: 1 });
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/^BEGIN ISOLATION LEVEL READ COMMITTED;\n/);
    expect(statements[0]).toContain('_claim');
    expect(statements[2]).toMatch(/;\nCOMMIT$/);
    expect(accepted.sort()).toEqual([ids[0], ids[2]].sort());

    const rows = await sql<{ id: string; status: string; attempts: number; last_error: string | null }>`
      SELECT id::text, status, attempts, last_error FROM ${f.outbox.table.ref} ORDER BY id`.execute(f.db);
    expect(rows.rows).toEqual([
      { id: ids[0], status: 'sent', attempts: 1, last_error: null },
      { id: ids[1], status: 'pending', attempts: 1, last_error: hostileError },
      { id: ids[2], status: 'sent', attempts: 1, last_error: null },
    ]);
    // The round's in-flight record was deleted with the mark, and the groups are free again.
    const inflight = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${f.outbox.table.inflightRef}`.execute(
      f.db,
    );
    expect(inflight.rows[0]?.n).toBe(0);
    failing.clear();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // drain: other test files share the cluster and may hold the visibility fence for a moment.
    expect(await drain(relay, 1)).toBe(1);
    expect(accepted).toContain(ids[1]);
  });

  it('a mark that fails rolls the round back: the in-flight record stays and the next round charges the attempt', async () => {
    const ids = await f.db
      .transaction()
      .execute((trx) => f.outbox.enqueue(trx, [{ destination: 'd', groupKey: 'm', body: { n: 1 } }]));
    // Postgres ends the round's session during the publish (as after a failover): the mark and its
    // COMMIT, sent together, fail.
    let killed = false;
    const publisher: OutboxPublisher = {
      publish: async (entries) => {
        if (!killed) {
          killed = true;
          await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = ${APP} AND state = 'idle in transaction'`.execute(f.db);
        }
        return entries.map(() => ({ ok: true }) as const);
      },
    };
    const errors: unknown[] = [];
    const relay = createOutboxRelay({
      db,
      pool,
      outbox: f.outbox,
      publisher,
      observer: { error: (e) => errors.push(e) },
    });
    let first: unknown;
    for (let tries = 0; tries < 200 && !killed; tries += 1) {
      first = await relay.runOnce().catch((error: unknown) => error);
      if (!killed) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(first).toBeInstanceOf(Error);
    const before = await sql<{ attempts: number; status: string }>`
      SELECT attempts, status FROM ${f.outbox.table.ref} WHERE id = ${ids[0]}::bigint`.execute(f.db);
    expect(before.rows[0]).toEqual({ attempts: 0, status: 'pending' });
    expect(await drain(relay, 1)).toBe(1);
    const after = await sql<{ attempts: number; status: string }>`
      SELECT attempts, status FROM ${f.outbox.table.ref} WHERE id = ${ids[0]}::bigint`.execute(f.db);
    // Charged once for the round that died without its mark, once for the one that sent it.
    expect(after.rows[0]).toEqual({ attempts: 2, status: 'sent' });
  });
});
