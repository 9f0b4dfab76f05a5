import { Kysely, PostgresDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createBoundedPool } from './bounded-clients.js';
import { useBoundedPools } from './bounded-pool-fixture.js';

// Kysely's path (`client.query(text, values)`) against real Postgres: what each connection keeps
// prepared, its bound, and the calls after a kept statement went stale.
const fixture = useBoundedPools('prep');

/** A pool of `max` connections keeping up to `prepared` statements each, and Kysely over it. */
function open(prepared: number, max = 1) {
  const pool = fixture.pool({ max, preparedStatements: prepared });
  return { pool, db: new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) }) };
}

/** The statements the one connection of `db` keeps (the query itself has no values: never kept). */
async function kept(db: Kysely<Record<string, never>>): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY name`.execute(
    db,
  );
  return rows.map((row) => row.statement);
}

const plus = (k: number, n: number) => sql<{ v: number }>`SELECT ${n}::int + ${sql.lit(k)} AS v`;

describe('prepareStatements through Kysely', () => {
  it('keeps a parameterized statement prepared once per connection and answers every call', async () => {
    const { db } = open(8);
    for (let n = 0; n < 5; n += 1) {
      const { rows } = await plus(1, n).execute(db);
      expect(rows).toEqual([{ v: n + 1 }]);
    }
    expect(await kept(db)).toEqual(['SELECT $1::int + 1 AS v']);
  });

  it('keeps nothing when off, and nothing for statements without values', async () => {
    const off = open(0);
    await plus(1, 2).execute(off.db);
    expect(await kept(off.db)).toEqual([]);
    const on = open(8);
    const { rows } = await sql<{ v: number }>`SELECT 7 AS v`.execute(on.db);
    expect(rows).toEqual([{ v: 7 }]);
    // A multi-statement text (simple protocol) still works: it is never named.
    const client = await on.pool.connect();
    try {
      const results: unknown = await client.query('SELECT 1 AS a; SELECT 2 AS b');
      expect(results).toMatchObject([{ rows: [{ a: 1 }] }, { rows: [{ b: 2 }] }]);
      // Query objects and callbacks pass through as given.
      expect((await client.query({ text: 'SELECT $1::int AS v', values: [3] })).rows).toEqual([{ v: 3 }]);
      const viaCallback = await new Promise<unknown>((resolve, reject) => {
        client.query('SELECT $1::int AS v', [4], (error, result) => (error ? reject(error) : resolve(result.rows)));
      });
      expect(viaCallback).toEqual([{ v: 4 }]);
    } finally {
      client.release();
    }
    expect(await kept(on.db)).toEqual([]);
  });

  it('keeps at most `preparedStatements` per connection; later texts run unnamed', async () => {
    const { db } = open(2);
    for (const k of [1, 2, 3, 1, 2, 3]) {
      const { rows } = await plus(k, 10).execute(db);
      expect(rows).toEqual([{ v: 10 + k }]);
    }
    expect(await kept(db)).toEqual(['SELECT $1::int + 1 AS v', 'SELECT $1::int + 2 AS v']);
  });

  it('answers right under concurrency: 4 connections, 12 texts, 600 calls', async () => {
    const { db } = open(64, 4);
    const calls = Array.from({ length: 600 }, (_, i) => ({ k: i % 12, n: (i * 7919) % 1000 }));
    const answers = await Promise.all(calls.map(({ k, n }) => plus(k, n).execute(db)));
    expect(answers.map((answer) => answer.rows[0]?.v)).toEqual(calls.map(({ k, n }) => n + k));
  });

  it('a statement whose result columns a migration changed fails once, then is parsed again', async () => {
    const { db } = open(8);
    const other = open(0);
    const table = sql.table(`${fixture.schema.name}.widened`);
    await sql`CREATE TABLE ${table} (id int PRIMARY KEY, a text)`.execute(other.db);
    await sql`INSERT INTO ${table} VALUES (1, 'x')`.execute(other.db);
    const read = () => sql<Record<string, unknown>>`SELECT * FROM ${table} WHERE id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, a: 'x' }]);
    await read();
    await sql`ALTER TABLE ${table} ADD COLUMN b text`.execute(other.db);
    await expect(read()).rejects.toMatchObject({ code: '0A000' });
    expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: null }]);
    expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: null }]);
  });

  it('a session that dropped its statements (DISCARD ALL) fails one call, then parses again', async () => {
    const { db } = open(8);
    expect((await plus(5, 1).execute(db)).rows).toEqual([{ v: 6 }]);
    await sql`DISCARD ALL`.execute(db);
    await expect(plus(5, 1).execute(db)).rejects.toMatchObject({ code: '26000' });
    expect((await plus(5, 2).execute(db)).rows).toEqual([{ v: 7 }]);
    expect(await kept(db)).toEqual(['SELECT $1::int + 5 AS v']);
  });

  it('a first call inside an aborted transaction keeps nothing; after it the text is kept', async () => {
    const { db } = open(8);
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SELECT 1 / 0`.execute(trx).catch(() => undefined);
        await plus(9, 1).execute(trx);
      }),
    ).rejects.toMatchObject({ code: '25P02' });
    expect(await kept(db)).toEqual([]);
    expect((await plus(9, 1).execute(db)).rows).toEqual([{ v: 10 }]);
    expect(await kept(db)).toEqual(['SELECT $1::int + 9 AS v']);
  });

  it('refuses a bad bound when the pool is made', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => createBoundedPool({ connectionString: fixture.url, preparedStatements: bad })).toThrow(RangeError);
    }
  });
});
