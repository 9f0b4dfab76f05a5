import { createTestSchema, type TestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyOptionsError, IdempotencyRecordError, withIdempotency } from '../index.js';
import { describeStoreContract } from '../testing/store-contract.js';
import { openShopDb } from './fixtures/postgres-db.js';
import { KyselyIdempotencyStore } from './kysely-store.js';
import { idempotencyMigration } from './migration.js';

const stack = useCheckoutStack();

describeStoreContract('Postgres (Kysely)', async () => {
  const schema = await createTestSchema(stack.postgres, 'idem');
  const db = await openShopDb(stack.postgres.url, schema.name);
  return {
    store: new KyselyIdempotencyStore({ db, schema: schema.name }),
    countRecords: async () => {
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'idempotency_keys')}`.execute(db);
      return rows[0]?.n ?? -1;
    },
    teardown: async () => {
      await db.destroy();
      await schema.drop();
    },
  };
});

describe('KyselyIdempotencyStore specifics', () => {
  let schema: TestSchema;
  let db: Awaited<ReturnType<typeof openShopDb>>;
  beforeAll(async () => {
    schema = await createTestSchema(stack.postgres, 'idem');
    db = await openShopDb(stack.postgres.url, schema.name);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  it('rejects hostile schema and table names before any SQL runs', async () => {
    const hostile = 'x"; DROP TABLE orders; --';
    expect(() => new KyselyIdempotencyStore({ db, schema: hostile })).toThrow(IdempotencyOptionsError);
    expect(() => new KyselyIdempotencyStore({ db, table: hostile })).toThrow(/table/);
    expect(() => idempotencyMigration({ schema: hostile })).toThrow(IdempotencyOptionsError);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'orders')}`.execute(
      db,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('why keys are checked: Postgres stores an unpaired surrogate as U+FFFD, so such keys collide', async () => {
    const { rows } = await sql<{ same: boolean }>`SELECT ${'a\uD800'}::text = ${'a\uDBFF'}::text AS same`.execute(db);
    expect(rows[0]?.same).toBe(true);
  });

  it('and keeps apart what the key check accepts (noncharacters, U+FFFD, BOM, combining marks, astral)', async () => {
    for (const [a, b] of [
      ['\uFFFE', '\uFFFF'],
      ['\uFFFF', '\uFFFD'],
      ['\uFDD0', '\uFFFD'],
      ['\uFEFF', ''],
      ['e\u0301', '\u00e9'],
      ['\u{10FFFF}', '\u{10FFFE}'],
      ['\u{10FFFF}', '\uFFFD'],
      ['\u200B', ''],
    ]) {
      const { rows } = await sql<{
        same: boolean;
        back: string;
      }>`SELECT ${`k${a}`}::text = ${`k${b}`}::text AS same, ${`k${a}`}::text AS back`.execute(db);
      expect(rows[0]).toEqual({ same: false, back: `k${a}` });
    }
  });

  it('is a Kysely Migrator migration', () => {
    const migration: Migration = idempotencyMigration();
    expect(typeof migration.up).toBe('function');
  });

  it('runs the migration twice without error (IF NOT EXISTS) and in a custom table', async () => {
    await idempotencyMigration({ schema: schema.name }).up(db);
    const custom = idempotencyMigration({ schema: schema.name, table: 'Mixed_Case_Keys' });
    await custom.up(db);
    const store = new KyselyIdempotencyStore({ db, schema: schema.name, table: 'Mixed_Case_Keys' });
    const run = withIdempotency(async () => 42, { store, scope: 'custom', key: () => 'k' });
    expect(await run()).toBe(42);
    await custom.down(db);
  });

  it('deletes expired records in bounded batches', async () => {
    const store = new KyselyIdempotencyStore({ db, schema: schema.name });
    const now = Date.UTC(2026, 10, 25, 12);
    for (const key of ['a', 'b', 'c']) {
      const run = withIdempotency(async () => key, {
        store,
        scope: 'expiry',
        key: () => key,
        ttlSeconds: 10,
        clock: () => now,
      });
      await run();
    }
    expect(await store.deleteExpired({ now: now + 10_000, limit: 2 })).toBe(2);
    expect(await store.deleteExpired({ now: now + 10_000, limit: 2 })).toBe(1);
    expect(await store.deleteExpired({ now: now + 10_000 })).toBe(0);
  });

  it('rejects a corrupted row read back with a typed error naming the field', async () => {
    await sql`ALTER TABLE ${sql.id(schema.name, 'idempotency_keys')} DROP CONSTRAINT IF EXISTS idempotency_keys_status_check`.execute(
      db,
    );
    await sql`INSERT INTO ${sql.id(schema.name, 'idempotency_keys')} (key, status, fingerprint, lease_token, lease_expires_at, expires_at)
      VALUES ('7:corrupt:k', 'weird', 'x', 't', 0, ${Date.now() + 60_000})`.execute(db);
    const store = new KyselyIdempotencyStore({ db, schema: schema.name });
    const read = withIdempotency(async () => 'never', { store, scope: 'corrupt', key: () => 'k' });
    const error = await read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyRecordError);
    expect(error).toMatchObject({ field: 'status' });
  });
});
