import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestingConfigError, TestingInputError } from '../errors.js';
import { startCheckoutStack } from '../stack/start-checkout-stack.js';
import { useCheckoutStack } from '../vitest/index.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './start-embedded-postgres.js';

// A private server: restarting the run's shared Postgres would break every other test file.
let server: EmbeddedPostgres;
beforeAll(async () => {
  server = await startEmbeddedPostgres({ maxConnections: 20 });
});
afterAll(async () => {
  await server?.stop();
});

async function postmasterStart(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ started: string }>('SELECT pg_postmaster_start_time()::text AS started');
  return rows[0]?.started ?? '';
}

describe('EmbeddedPostgres.restart', () => {
  it('drops every connection, keeps committed data, and a pool with an error listener reconnects', async () => {
    const errors: Error[] = [];
    const pool = new pg.Pool({ connectionString: server.url, max: 4, connectionTimeoutMillis: 5_000 });
    pool.on('error', (error) => errors.push(error));
    try {
      await pool.query('CREATE TABLE kept (id int PRIMARY KEY)');
      await pool.query('INSERT INTO kept SELECT generate_series(1, 100)');
      // An open transaction that never commits: lost in the crash.
      const inFlight = await pool.connect();
      inFlight.on('error', () => {});
      await inFlight.query('BEGIN');
      await inFlight.query('INSERT INTO kept VALUES (1000)');
      const running = pool.query('SELECT pg_sleep(30)').then(
        () => 'finished',
        (error: Error) => error.message,
      );
      // Warm idle connections too: they die while idle, reported on pool.on('error').
      await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
      const before = await postmasterStart(pool);

      const { downMs } = await server.restart({ downMs: 300 });
      expect(downMs).toBeGreaterThanOrEqual(300);
      expect(await running).not.toBe('finished');
      await expect(inFlight.query('COMMIT')).rejects.toThrow();
      inFlight.release(true);

      const { rows } = await pool.query<{ n: number; max: number }>(
        'SELECT count(*)::int AS n, max(id) AS max FROM kept',
      );
      expect(rows[0]).toEqual({ n: 100, max: 100 });
      expect(await postmasterStart(pool)).not.toBe(before);
      expect(server.port).toBe(new URL(server.url).port === '' ? 5432 : Number(new URL(server.url).port));
    } finally {
      await pool.end();
    }
  });

  it('runs concurrent restarts one after another, and the server is up after each', async () => {
    const [a, b] = await Promise.all([server.restart(), server.restart()]);
    expect(a.downMs).toBeGreaterThanOrEqual(0);
    expect(b.downMs).toBeGreaterThanOrEqual(0);
    const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  });

  it('rejects a bad downMs before touching the server', async () => {
    await expect(server.restart({ downMs: -1 })).rejects.toBeInstanceOf(TestingInputError);
    await expect(server.restart({ downMs: 1.5 })).rejects.toMatchObject({ field: 'downMs' });
  });

  it('a stopped server cannot be restarted; stop is idempotent', async () => {
    const other = await startEmbeddedPostgres();
    await Promise.all([other.stop(), other.stop()]);
    await expect(other.restart()).rejects.toBeInstanceOf(TestingConfigError);
  });

  it('startEmbeddedPostgres checks its options', async () => {
    await expect(startEmbeddedPostgres({ maxConnections: 1 })).rejects.toMatchObject({
      code: 'TESTING_INVALID_CONFIG',
      field: 'maxConnections',
    });
  });
});

describe('CheckoutStack.restartPostgres', () => {
  it('is a TestingConfigError for a Postgres from the environment, naming postgres.source', async () => {
    const shared = useCheckoutStack();
    const stack = await startCheckoutStack({
      env: {
        CHECKOUT_POSTGRES_URL: shared.postgres.url,
        CHECKOUT_DYNAMODB_ENDPOINT: shared.dynamodb.endpoint,
        CHECKOUT_SQS_ENDPOINT: shared.sqs.endpoint,
      },
    });
    try {
      await expect(stack.restartPostgres()).rejects.toMatchObject({
        code: 'TESTING_INVALID_CONFIG',
        field: 'postgres.source',
      });
    } finally {
      await stack.stop();
    }
  });

  it('restarts the embedded Postgres of a stack that started only Postgres', async () => {
    const shared = useCheckoutStack();
    const stack = await startCheckoutStack({
      mode: 'embedded',
      env: { CHECKOUT_DYNAMODB_ENDPOINT: shared.dynamodb.endpoint, CHECKOUT_SQS_ENDPOINT: shared.sqs.endpoint },
      postgres: { maxConnections: 10 },
    });
    try {
      expect(stack.postgres.source).toBe('embedded');
      const client = new pg.Client({ connectionString: stack.postgres.url });
      client.on('error', () => {});
      await client.connect();
      await client.query('CREATE TABLE t (v text); INSERT INTO t VALUES ($$kept$$)');
      await stack.restartPostgres();
      await expect(client.query('SELECT 1')).rejects.toThrow();
      const again = new pg.Client({ connectionString: stack.postgres.url });
      again.on('error', () => {});
      await again.connect();
      const { rows } = await again.query<{ v: string }>('SELECT v FROM t').finally(() => again.end());
      expect(rows).toEqual([{ v: 'kept' }]);
    } finally {
      await stack.stop();
    }
    await expect(stack.restartPostgres()).rejects.toBeInstanceOf(TestingConfigError);
  });
});
