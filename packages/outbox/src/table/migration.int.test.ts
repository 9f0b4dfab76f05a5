import { createTestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxConfigError } from '../errors.js';
import { createOutbox } from '../outbox.js';
import { createOutboxRelay } from '../relay/relay.js';
import { acceptAll } from '../test-support/flaky-publisher.js';
import { drain } from '../test-support/outbox-fixture.js';

const stack = useCheckoutStack();
let schema: Awaited<ReturnType<typeof createTestSchema>>;
let db: Kysely<Record<string, never>>;
beforeAll(async () => {
  schema = await createTestSchema(stack.postgres, 'mig');
  db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: stack.postgres.url, max: 3 }) }),
  });
});
afterAll(async () => {
  await db.destroy();
  await schema.drop();
});

async function tablesIn(name: string) {
  const { rows } = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = ${name} ORDER BY table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

describe('migration', () => {
  it("runs under Kysely's Migrator with a quoted mixed-case name, and the outbox works end to end", async () => {
    const outbox = createOutbox({ schema: schema.name, table: 'Outbox_Events' });
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ '0001_outbox': outbox.migration() }) },
      migrationTableSchema: schema.name,
    });
    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => r.status)).toEqual(['Success']);
    expect(await tablesIn(schema.name)).toContain('Outbox_Events');
    await db
      .transaction()
      .execute((trx) => outbox.enqueue(trx, { destination: 'd', groupKey: 'g', body: { ok: true } }));
    const relay = createOutboxRelay({ db, outbox, publisher: acceptAll });
    expect(await drain(relay, 1)).toBe(1);
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(await tablesIn(schema.name)).not.toContain('Outbox_Events');
  });

  it('the plain SQL creates the same table', async () => {
    const outbox = createOutbox({ schema: schema.name, table: 'plain_outbox' });
    await sql.raw(outbox.migrationSql('up')).execute(db);
    expect(await tablesIn(schema.name)).toContain('plain_outbox');
  });

  it('never adopts what is already there: a second up fails loudly; down, then up again, works', async () => {
    const outbox = createOutbox({ schema: schema.name, table: 'twice_outbox' });
    await outbox.migration().up(db);
    await expect(outbox.migration().up(db)).rejects.toThrow(/already exists/);
    await outbox.migration().down?.(db);
    await outbox.migration().down?.(db); // DROP ... IF EXISTS: a second down is a no-op
    expect(await tablesIn(schema.name)).not.toContain('twice_outbox');
    await outbox.migration().up(db);
    expect(await tablesIn(schema.name)).toEqual(expect.arrayContaining(['twice_outbox', 'twice_outbox_inflight']));
  });

  it('a role that owns its schema but may not create schemas in the database can migrate', async () => {
    // Postgres checks CREATE on the database before IF NOT EXISTS, so `CREATE SCHEMA IF NOT EXISTS`
    // would fail here with "permission denied for database".
    const role = `${schema.name}_owner`;
    await sql.raw(`CREATE ROLE "${role}" LOGIN PASSWORD 'owner-pw'`).execute(db);
    await sql.raw(`CREATE SCHEMA "${role}" AUTHORIZATION "${role}"`).execute(db);
    const url = new URL(stack.postgres.url);
    url.username = role;
    url.password = 'owner-pw';
    const owner = new Kysely<Record<string, never>>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }),
    });
    try {
      await createOutbox({ schema: role, table: 'owned_outbox' }).migration().up(owner);
      expect(await tablesIn(role)).toContain('owned_outbox');
    } finally {
      await owner.destroy();
      await sql.raw(`DROP SCHEMA "${role}" CASCADE`).execute(db);
      await sql.raw(`DROP ROLE "${role}"`).execute(db);
    }
  });

  it('a hostile table name is refused before any SQL runs', async () => {
    const before = await tablesIn(schema.name);
    expect(() => createOutbox({ schema: schema.name, table: 'x"; DROP SCHEMA public CASCADE; --' })).toThrow(
      OutboxConfigError,
    );
    expect(() => createOutbox({ schema: `${schema.name}"."x`, table: 'ok' })).toThrow(OutboxConfigError);
    expect(await tablesIn(schema.name)).toEqual(before);
    const { rows } = await sql<{
      n: string;
    }>`SELECT count(*)::text AS n FROM information_schema.schemata WHERE schema_name = 'public'`.execute(db);
    expect(rows[0]?.n).toBe('1');
  });
});
