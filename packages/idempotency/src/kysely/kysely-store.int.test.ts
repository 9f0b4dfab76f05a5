import { createTestSchema, type TestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConfigError, IdempotencyRecordError, once, withIdempotency } from '../index.js';
import { openShopDb } from '../test-support/postgres-db.js';
import { describeStoreContract } from '../test-support/store-contract.js';
import { createKyselyIdempotencyStore } from './kysely-store.js';

const stack = useCheckoutStack();

describeStoreContract('Postgres (Kysely)', async () => {
  const schema = await createTestSchema(stack.postgres, 'idem');
  const db = await openShopDb(stack.postgres.url, schema.name);
  return {
    store: createKyselyIdempotencyStore({ db, schema: schema.name }),
    countRecords: async () => {
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'checkout_idempotency')}`.execute(db);
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
    expect(() => createKyselyIdempotencyStore({ db, schema: hostile })).toThrow(IdempotencyConfigError);
    expect(() => createKyselyIdempotencyStore({ db, schema: hostile })).toThrow(
      expect.objectContaining({ field: 'schema', code: 'IDEMPOTENCY_INVALID_CONFIG' }),
    );
    expect(() => createKyselyIdempotencyStore({ db, table: hostile })).toThrow(
      expect.objectContaining({ field: 'table' }),
    );
    expect(() => createKyselyIdempotencyStore({ table: 'x'.repeat(41) })).toThrow(
      expect.objectContaining({ field: 'table' }),
    );
    expect(() => createKyselyIdempotencyStore({ db: {} as never })).toThrow(expect.objectContaining({ field: 'db' }));
    expect(() => createKyselyIdempotencyStore({ now: 5 as never })).toThrow(expect.objectContaining({ field: 'now' }));
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'orders')}`.execute(
      db,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("defaults to schema 'public' and table checkout_idempotency, whatever the connection's search_path", () => {
    // db's search_path is the test schema; the store still names public explicitly.
    const store = createKyselyIdempotencyStore({ db });
    expect([store.schema, store.table]).toEqual(['public', 'checkout_idempotency']);
    expect(store.migrationSql('up')).toContain('CREATE TABLE "public"."checkout_idempotency"');
  });

  it('a store without db works for migrations and idempotentTransaction, and says so when used alone', async () => {
    const store = createKyselyIdempotencyStore({ schema: schema.name });
    await expect(once(store, 'k', async () => 1)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_INVALID_CONFIG',
      field: 'db',
    });
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

  it('is a Kysely Migrator migration: plain CREATE (an existing table fails loudly), down drops only the table', async () => {
    const store = createKyselyIdempotencyStore({ db, schema: schema.name, table: 'Mixed_Case_Keys' });
    const migration: Migration = store.migration();
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ '001_idempotency': migration }) },
      migrationTableSchema: schema.name,
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const run = withIdempotency(async () => 42, { store, scope: 'custom', key: () => 'k' });
    expect(await run()).toBe(42);
    // Never silently adopts a table of that name.
    await expect(migration.up(db)).rejects.toThrow(/already exists/);
    expect((await migrator.migrateDown()).error).toBeUndefined();
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables
      WHERE table_schema = ${schema.name} AND table_name = 'Mixed_Case_Keys'`.execute(db);
    expect(rows[0]?.n).toBe(0);
  });

  it('migrationSql gives the same statements as text, and they run', async () => {
    const store = createKyselyIdempotencyStore({ db, schema: schema.name, table: 'from_text' });
    const up = store.migrationSql('up');
    expect(up).toContain(`THEN CREATE SCHEMA "${schema.name}"; END IF;`);
    expect(up).toContain(`CREATE TABLE "${schema.name}"."from_text" (`);
    expect(up).toContain(`CREATE INDEX "from_text_expires_at_idx" ON "${schema.name}"."from_text" (expires_at)`);
    expect(up).not.toMatch(/IF NOT EXISTS "from_text/);
    expect(store.migrationSql('down')).toBe(`DROP TABLE IF EXISTS "${schema.name}"."from_text";\n`);
    await sql.raw(up).execute(db);
    expect((await once(store, 'k', async () => 'sent')).value).toBe('sent');
    await sql.raw(store.migrationSql('down')).execute(db);
    expect(() => store.migrationSql('sideways' as never)).toThrow(expect.objectContaining({ field: 'direction' }));
  });

  it('deletes expired records in bounded batches', async () => {
    const now = Date.UTC(2026, 10, 25, 12);
    let clock = now;
    const store = createKyselyIdempotencyStore({ db, schema: schema.name, now: () => clock });
    for (const key of ['a', 'b', 'c']) {
      const run = withIdempotency(async () => key, {
        store,
        scope: 'expiry',
        key: () => key,
        ttlSeconds: 10,
        now: () => now,
      });
      await run();
    }
    expect(await store.deleteExpired(db)).toBe(0);
    clock = now + 10_000;
    expect(await store.deleteExpired(db, { limit: 2 })).toBe(2);
    expect(await store.deleteExpired(db, { limit: 2 })).toBe(1);
    expect(await store.deleteExpired(db)).toBe(0);
    await expect(store.deleteExpired(db, { limit: 0 })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_INVALID_INPUT',
      field: 'limit',
    });
  });

  it('rejects a corrupted row read back with a typed error naming the field', async () => {
    await sql`ALTER TABLE ${sql.id(schema.name, 'checkout_idempotency')} DROP CONSTRAINT IF EXISTS checkout_idempotency_status_check`.execute(
      db,
    );
    await sql`INSERT INTO ${sql.id(schema.name, 'checkout_idempotency')} (key, status, fingerprint, lease_token, lease_expires_at, expires_at)
      VALUES ('7:corrupt:k', 'weird', 'x', 't', 0, ${Date.now() + 60_000})`.execute(db);
    const store = createKyselyIdempotencyStore({ db, schema: schema.name });
    const read = withIdempotency(async () => 'never', { store, scope: 'corrupt', key: () => 'k' });
    const error = await read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyRecordError);
    expect(error).toMatchObject({ field: 'status' });
  });
});
