import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTestSchema, type TestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyKeyError, IdempotencyKeyReuseError, IdempotencyResultUnserializableError } from '../errors.js';
import { openShopDb, type ShopDatabase } from '../test-support/postgres-db.js';
import { idempotentTransaction } from './idempotent-transaction.js';
import { createKyselyIdempotencyStore, type KyselyIdempotencyStore } from './kysely-store.js';

const stack = useCheckoutStack();

describe('idempotentTransaction: the record commits with the caller writes', () => {
  let schema: TestSchema;
  let db: Kysely<ShopDatabase>;
  let store: KyselyIdempotencyStore;
  beforeAll(async () => {
    schema = await createTestSchema(stack.postgres, 'idemtx');
    db = await openShopDb(stack.postgres.url, schema.name);
    store = createKyselyIdempotencyStore({ db, schema: schema.name });
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  const ordersFor = async (key: string) =>
    (await db.selectFrom('orders').select('id').where('idempotency_key', '=', key).execute()).length;
  const recordsFor = async (key: string) => {
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'checkout_idempotency')}
      WHERE key = ${`8:checkout:${key}`}`.execute(db);
    return rows[0]?.n ?? -1;
  };
  const placeOrder = (key: string, amount = 100, hook?: () => Promise<void>) =>
    idempotentTransaction(db, { store, scope: 'checkout', key, fingerprint: { amount } }, async (trx) => {
      const id = `order-${randomUUID()}`;
      await trx.insertInto('orders').values({ id, idempotency_key: key, amount }).execute();
      await hook?.();
      return { orderId: id };
    });

  it('commits order and record together; a retry replays without a second order', async () => {
    const key = randomUUID();
    const first = await placeOrder(key);
    const retry = await placeOrder(key);
    expect(retry).toEqual({ value: first.value, replayed: true });
    expect(await ordersFor(key)).toBe(1);
    expect(await recordsFor(key)).toBe(1);
  });

  it('fn throws: the order and the key both roll back, and a retry runs', async () => {
    const key = randomUUID();
    await expect(
      placeOrder(key, 100, async () => {
        throw new Error('price changed');
      }),
    ).rejects.toThrow('price changed');
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(0);
    expect((await placeOrder(key)).replayed).toBe(false);
    expect(await ordersFor(key)).toBe(1);
  });

  it("caller's own transaction rolls back later: no key and no order remain", async () => {
    const key = randomUUID();
    await expect(
      db.transaction().execute(async (trx) => {
        await idempotentTransaction(
          trx,
          { store, scope: 'checkout', key, fingerprint: { amount: 100 } },
          async (inner) => {
            await inner
              .insertInto('orders')
              .values({ id: `order-${key}`, idempotency_key: key, amount: 100 })
              .execute();
            return 'ok';
          },
        );
        throw new Error('outbox write failed');
      }),
    ).rejects.toThrow('outbox write failed');
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(0);
  });

  it("in the caller's transaction, a failing fn is undone by a savepoint and the transaction stays usable", async () => {
    const key = randomUUID();
    await db.transaction().execute(async (trx) => {
      await expect(
        idempotentTransaction(trx, { store, scope: 'checkout', key, fingerprint: null }, async (inner) => {
          await inner
            .insertInto('orders')
            .values({ id: `order-${key}`, idempotency_key: key, amount: 1 })
            .execute();
          await sql`SELECT 1 / 0`.execute(inner);
          return 'never';
        }),
      ).rejects.toThrow(/division by zero/);
      await trx
        .insertInto('orders')
        .values({ id: `audit-${key}`, idempotency_key: key, amount: 2 })
        .execute();
    });
    expect(await db.selectFrom('orders').select('id').where('idempotency_key', '=', key).execute()).toEqual([
      { id: `audit-${key}` },
    ]);
    expect(await recordsFor(key)).toBe(0);
  });

  it('50 concurrent transactions with one key: one order, every other call replays it', async () => {
    const key = randomUUID();
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        placeOrder(key, 100, async () => {
          runs += 1;
        }),
      ),
    );
    expect(runs).toBe(1);
    expect(await ordersFor(key)).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(new Set(results.map((result) => result.value.orderId)).size).toBe(1);
  });

  it('rememberErrors: the decline is committed and replayed, its writes are not', async () => {
    class CardDeclinedError extends Error {
      override name = 'CardDeclinedError';
    }
    const key = randomUUID();
    let runs = 0;
    const attempt = () =>
      idempotentTransaction(
        db,
        {
          store,
          scope: 'checkout',
          key,
          fingerprint: null,
          rememberErrors: (error) => error instanceof CardDeclinedError,
        },
        async (trx) => {
          runs += 1;
          await trx
            .insertInto('orders')
            .values({ id: `order-${randomUUID()}`, idempotency_key: key, amount: 5 })
            .execute();
          throw new CardDeclinedError('declined');
        },
      );
    await expect(attempt()).rejects.toBeInstanceOf(CardDeclinedError);
    const replay = await attempt().catch((error: unknown) => error);
    expect(replay).toMatchObject({ name: 'CardDeclinedError', message: 'declined' });
    expect(runs).toBe(1);
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(1);
  });

  it("rememberErrors in the caller's transaction: the decline counts once the caller commits", async () => {
    const key = randomUUID();
    let runs = 0;
    const options = {
      store,
      scope: 'checkout',
      key,
      fingerprint: null,
      rememberErrors: (error: unknown) => error instanceof Error && error.message === 'declined',
    };
    const decline = async (trx: Transaction<ShopDatabase>): Promise<never> => {
      runs += 1;
      await trx
        .insertInto('orders')
        .values({ id: `order-${randomUUID()}`, idempotency_key: key, amount: 5 })
        .execute();
      throw new Error('declined');
    };
    await db.transaction().execute(async (trx) => {
      await expect(idempotentTransaction(trx, options, decline)).rejects.toThrow('declined');
    });
    await expect(idempotentTransaction(db, options, decline)).rejects.toThrow('declined');
    expect(runs).toBe(1);
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(1);
  });

  it('a result that cannot be stored (bigint): typed 500, the order and the record roll back together', async () => {
    const key = randomUUID();
    const place = (on: Kysely<ShopDatabase> | Transaction<ShopDatabase>) =>
      idempotentTransaction(on, { store, scope: 'checkout', key, fingerprint: { amount: 1 } }, async (trx) => {
        const id = `order-${randomUUID()}`;
        await trx.insertInto('orders').values({ id, idempotency_key: key, amount: 1 }).execute();
        return { orderId: id, totalMinor: 1999n };
      });
    await expect(place(db)).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(0);
    await db.transaction().execute(async (trx) => {
      await expect(place(trx)).rejects.toMatchObject({ code: 'IDEMPOTENCY_RESULT_UNSERIALIZABLE', httpStatus: 500 });
      // The caller's transaction is still usable: the savepoint undid the order and the record.
      await trx
        .insertInto('orders')
        .values({ id: `other-${key}`, idempotency_key: 'other', amount: 1 })
        .execute();
    });
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(0);
  });

  it("scopes or keys that differ only in an unpaired surrogate are refused before any SQL; the caller's transaction stays usable", async () => {
    const key = randomUUID();
    const place = (trx: Transaction<ShopDatabase>, scope: string, callerKey: string) =>
      idempotentTransaction(trx, { store, scope, key: callerKey, fingerprint: null }, async (inner) => {
        await inner
          .insertInto('orders')
          .values({ id: `order-${randomUUID()}`, idempotency_key: key, amount: 1 })
          .execute();
        return 'placed';
      });
    await db.transaction().execute(async (trx) => {
      for (const [scope, callerKey] of [
        ['tenant-a\uD800:checkout', key],
        ['tenant-a\uDBFF:checkout', key],
        ['tenant-a:checkout', `${key}\uDC00`],
        ['tenant-a:checkout', `${key}\u0000`],
      ] as const) {
        await expect(place(trx, scope, callerKey)).rejects.toBeInstanceOf(IdempotencyKeyError);
      }
      await trx
        .insertInto('orders')
        .values({ id: `still-usable-${key}`, idempotency_key: 'other', amount: 1 })
        .execute();
    });
    expect(await ordersFor(key)).toBe(0);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'checkout_idempotency')}
      WHERE key LIKE ${'%tenant-a%'}`.execute(db);
    expect(rows[0]?.n).toBe(0);
  });

  it('validates key and payload before writing anything; reuse with another payload is 422', async () => {
    await expect(placeOrder('')).rejects.toBeInstanceOf(IdempotencyKeyError);
    const key = randomUUID();
    await placeOrder(key, 100);
    await expect(placeOrder(key, 200)).rejects.toBeInstanceOf(IdempotencyKeyReuseError);
    expect(await ordersFor(key)).toBe(1);
  });

  it('a process SIGKILLed between the business write and COMMIT leaves neither order nor key', async () => {
    const key = randomUUID();
    const applicationName = `idem-kill-${key.slice(0, 8)}`;
    const script = fileURLToPath(new URL('../test-support/kill-before-commit.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@checkout/source',
        script,
        stack.postgres.url,
        schema.name,
        key,
        applicationName,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('written\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    // The order row and the record exist, uncommitted, in the child's open transaction.
    const { rows: open } = await sql<{ state: string }>`SELECT state FROM pg_stat_activity
      WHERE application_name = ${applicationName} AND state = 'idle in transaction'`.execute(db);
    expect(open.length).toBe(1);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Postgres notices the dead connection and rolls its transaction back.
    for (let i = 0; i < 200; i += 1) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = ${applicationName}`.execute(db);
      if (rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await ordersFor(key)).toBe(0);
    expect(await recordsFor(key)).toBe(0);
    // The buyer's retry runs and commits exactly one order.
    expect((await placeOrder(key)).replayed).toBe(false);
    expect(await ordersFor(key)).toBe(1);
  });
});
