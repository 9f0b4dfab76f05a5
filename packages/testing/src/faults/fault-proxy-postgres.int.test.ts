import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../isolation/test-schema.js';
import { useCheckoutStack } from '../vitest/index.js';
import { createFaultProxy, type FaultProxy } from './fault-proxy.js';

// A proxy in front of the run's shared Postgres: its faults reach only the connections made through it.
const stack = useCheckoutStack();
let proxy: FaultProxy;
let schema: TestSchema;
let direct: pg.Pool;

beforeAll(async () => {
  proxy = await createFaultProxy({ target: stack.postgres.url });
  schema = await createTestSchema(stack.postgres, 'fault_pg');
  direct = new pg.Pool({ connectionString: stack.postgres.url, max: 2 });
  await direct.query(`CREATE TABLE "${schema.name}".paid (id int PRIMARY KEY)`);
});
afterAll(async () => {
  await direct?.end();
  await schema?.drop();
  await proxy?.close();
});

function proxiedPool(errors: Error[]): pg.Pool {
  const pool = new pg.Pool({
    connectionString: proxy.url(stack.postgres.url),
    max: 3,
    connectionTimeoutMillis: 1_000,
    query_timeout: 1_000,
  });
  pool.on('error', (error) => errors.push(error));
  return pool;
}

describe('fault proxy in front of Postgres', () => {
  it('cutAfter COMMIT: committed on the server, the client only sees its connection die', async () => {
    const client = new pg.Client({ connectionString: proxy.url(stack.postgres.url) });
    client.on('error', () => {});
    await client.connect();
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema.name}".paid VALUES (1)`);
    const fired = proxy.cutAfter('COMMIT', { timeoutMs: 10_000 });
    const outcome = await client.query('COMMIT').then(
      () => 'acknowledged',
      (error: Error) => error.message,
    );
    await fired;
    expect(outcome).not.toBe('acknowledged');
    const { rows } = await direct.query(`SELECT id FROM "${schema.name}".paid`);
    expect(rows).toEqual([{ id: 1 }]);
    await client.end().catch(() => {});
  });

  it('a pool with timeouts fails fast while refused or blackholed, and recovers on pass', async () => {
    const errors: Error[] = [];
    const pool = proxiedPool(errors);
    try {
      await pool.query('SELECT 1');
      proxy.setMode('refuse');
      await expect(pool.query('SELECT 1')).rejects.toThrow();
      proxy.setMode('blackhole');
      const began = Date.now();
      await expect(pool.query('SELECT 1')).rejects.toThrow();
      expect(Date.now() - began).toBeLessThan(30_000); // bounded by the pool's timeouts, not forever
      proxy.setMode('pass');
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      proxy.setMode('pass');
      await pool.end();
    }
  });
});
