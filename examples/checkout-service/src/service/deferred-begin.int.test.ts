import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useBoundedPools } from './bounded-pool-fixture.js';

// Kysely's transactions over createBoundedPool({ deferBegin }) against real Postgres: the BEGIN goes
// with the first statement (one round trip fewer), and every outcome is what a BEGIN sent alone gives.
interface Database {
  items: { id: number; xid: string };
}

const fixture = useBoundedPools('defer');

/** A pool over a fresh table, Kysely over it, and the round trips (ReadyForQuery) its connections made. */
async function open(options: { deferBegin: boolean; preparedStatements?: number; max?: number }) {
  const table = `items_${Math.random().toString(36).slice(2, 10)}`;
  const pool = fixture.pool({ max: options.max ?? 1, ...options });
  const roundTrips = { count: 0 };
  pool.on('connect', (client) => {
    const connection = Reflect.get(client, 'connection') as NodeJS.EventEmitter;
    connection.on('readyForQuery', () => {
      roundTrips.count += 1;
    });
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`CREATE TABLE ${sql.id(fixture.schema.name, table)} (id int PRIMARY KEY, xid text NOT NULL)`.execute(db);
  const items = sql.id(fixture.schema.name, table);
  const insert = (trx: Kysely<Database>, id: number) =>
    sql<{ xid: string }>`INSERT INTO ${items} (id, xid) VALUES (${id}, pg_current_xact_id()::text) RETURNING xid`
      .execute(trx)
      .then(({ rows }) => rows[0]?.xid);
  const ids = async (from: Kysely<Database> = db) =>
    (await sql<{ id: number }>`SELECT id FROM ${items} ORDER BY id`.execute(from)).rows.map((row) => row.id);
  return { pool, db, roundTrips, insert, ids };
}

/** Sessions of this database left inside a transaction. */
async function idleInTransaction(): Promise<number> {
  const client = new pg.Client({ connectionString: fixture.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('deferBegin through Kysely', () => {
  it('opens the transaction with its first statement: one round trip fewer, one transaction', async () => {
    for (const deferBegin of [false, true]) {
      const { db, roundTrips, insert, ids } = await open({ deferBegin });
      const before = roundTrips.count;
      const xids = await db.transaction().execute(async (trx) => [await insert(trx, 1), await insert(trx, 2)]);
      // BEGIN, two statements, COMMIT: four round trips, three when the BEGIN goes with the first.
      expect(roundTrips.count - before).toBe(deferBegin ? 3 : 4);
      expect(xids[0]).toBeDefined();
      expect(xids[1]).toBe(xids[0]);
      expect(await ids()).toEqual([1, 2]);
    }
  });

  it('a failing first statement rejects with its own error, and the connection is clean after', async () => {
    const { db, insert, ids } = await open({ deferBegin: true });
    await insert(db, 1);
    const failed = db.transaction().execute(async (trx) => insert(trx, 1));
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    // The same (only) connection: not left in the aborted transaction.
    await db.transaction().execute(async (trx) => insert(trx, 2));
    await insert(db, 3);
    expect(await ids()).toEqual([1, 2, 3]);
    expect(await idleInTransaction()).toBe(0);
  });

  it('a failing later statement rolls back the first', async () => {
    const { db, insert, ids } = await open({ deferBegin: true });
    await insert(db, 5);
    const failed = db.transaction().execute(async (trx) => {
      await insert(trx, 1);
      await insert(trx, 5);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([5]);
  });

  it('a transaction without statements sends nothing', async () => {
    const { db, roundTrips } = await open({ deferBegin: true });
    await sql`SELECT 1`.execute(db); // connected
    const before = roundTrips.count;
    expect(await db.transaction().execute(async () => 'done')).toBe('done');
    await expect(
      db.transaction().execute(async () => {
        throw new Error('before any statement');
      }),
    ).rejects.toThrow('before any statement');
    expect(roundTrips.count - before).toBe(0);
  });

  it('a first statement without values, and a transaction with settings, get their BEGIN as before', async () => {
    const { db, insert, ids } = await open({ deferBegin: true });
    const xids = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(trx);
      return [rows[0]?.xid, await insert(trx, 1)];
    });
    expect(xids[1]).toBe(xids[0]);
    const level = await db
      .transaction()
      .setIsolationLevel('serializable')
      .execute(async (trx) => {
        await insert(trx, 2);
        const { rows } = await sql<{
          level: string;
        }>`SELECT current_setting(${'transaction_isolation'}) AS level`.execute(trx);
        return rows[0]?.level;
      });
    expect(level).toBe('serializable');
    expect(await ids()).toEqual([1, 2]);
  });

  it('with prepared statements: a statement joins the BEGIN once its connection has parsed it', async () => {
    const { db, roundTrips, insert, ids } = await open({ deferBegin: true, preparedStatements: 8 });
    const trips: number[] = [];
    for (let n = 0; n < 3; n += 1) {
      const before = roundTrips.count;
      await db.transaction().execute(async (trx) => insert(trx, n));
      trips.push(roundTrips.count - before);
    }
    // First: BEGIN alone (the statement is parsed under its new name), the statement, COMMIT.
    expect(trips).toEqual([3, 2, 2]);
    expect(await ids()).toEqual([0, 1, 2]);
  });

  it('a BEGIN its holder never ended is forgotten when the client goes back to the pool', async () => {
    const { pool, db, insert, ids } = await open({ deferBegin: true });
    const client = await pool.connect();
    await client.query('begin', []);
    client.release();
    // The pool's one connection again, outside any transaction: the insert commits on its own, so
    // another connection sees it.
    await insert(db, 7);
    const other = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fixture.url, max: 1 }) }),
    });
    try {
      expect(await ids(other)).toEqual([7]);
      expect(await idleInTransaction()).toBe(0);
    } finally {
      await other.destroy();
    }
  });

  it('many concurrent transactions on a few connections: each one whole, none left open', async () => {
    const { db, insert, ids } = await open({ deferBegin: true, preparedStatements: 8, max: 4 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 120 }, (_, n) =>
        db.transaction().execute(async (trx) => {
          const first = await insert(trx, 2 * n);
          // Every fifth fails on its second statement: its first row must not stay.
          const second = await insert(trx, n % 5 === 0 ? 2 * n : 2 * n + 1);
          expect(second).toBe(first);
        }),
      ),
    );
    const expected = Array.from({ length: 120 }, (_, n) => n)
      .filter((n) => n % 5 !== 0)
      .flatMap((n) => [2 * n, 2 * n + 1]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(24);
    expect(await ids()).toEqual(expected);
    expect(await idleInTransaction()).toBe(0);
  });
});
