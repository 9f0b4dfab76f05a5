import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateMachineConfigError, StateMachineInputError } from '../errors.js';
import { orderMachine } from '../order/order-machine.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore } from './state-store.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

const tableNames = async (): Promise<string[]> =>
  (
    await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = ${t.schema} ORDER BY 1`.execute(t.db)
  ).rows.map((row) => row.name);

describe('store.migration()', () => {
  const hostile = [
    ['schema', { schema: 'public"; DROP TABLE sentinel; --' }],
    ['aggregateTable', { aggregateTable: 'orders; DROP TABLE sentinel' }],
    ['auditTable', { auditTable: 'audit" CASCADE; --' }],
    ['idColumn', { idColumn: 'id) ; DROP TABLE sentinel; --' }],
    ['aggregateTable', { aggregateTable: '1orders' }],
    ['aggregateTable', { aggregateTable: 'a'.repeat(41) }],
    ['schema', { schema: '' }],
    ['auditTable', { auditTable: 'orders' }],
  ] as const;

  it.each(hostile)(
    'refuses a hostile or invalid %s when the store is created, before any SQL',
    async (field, override) => {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.id(t.schema, 'sentinel')} (id int)`.execute(t.db);
      const options = { schema: t.schema, aggregateTable: 'orders', ...override };
      expect(() => createStateStore({ machine: orderMachine, ...options })).toThrowError(
        expect.objectContaining({
          constructor: StateMachineConfigError,
          code: 'STATE_MACHINE_INVALID_CONFIG',
          httpStatus: 500,
          field,
        }),
      );
      expect(await tableNames()).toContain('sentinel');
    },
  );

  it('refuses bad migration options and a bad direction', () => {
    const store = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'orders' });
    const loose = store.migration as (options: unknown) => unknown;
    expect(() => loose({ createAggregateTable: 'yes' })).toThrowError(
      expect.objectContaining({ constructor: StateMachineConfigError, field: 'createAggregateTable' }),
    );
    expect(() => loose({ createAuditTable: 1 })).toThrowError(
      expect.objectContaining({ constructor: StateMachineConfigError, field: 'createAuditTable' }),
    );
    expect(() => store.migrationSql('sideways' as 'up')).toThrowError(
      expect.objectContaining({ constructor: StateMachineInputError, field: 'direction' }),
    );
  });

  it('migrationSql holds the statements of migration(), quoted, in the DDL style of the conventions', () => {
    const store = createStateStore({ machine: orderMachine, schema: 'shop', aggregateTable: 'orders' });
    const up = store.migrationSql('up');
    expect(up).toContain(`WHERE nspname = 'shop') THEN CREATE SCHEMA "shop"; END IF;`);
    expect(up).toContain('ALTER TABLE "shop"."orders"\n  ADD COLUMN state text');
    expect(up).toContain('CREATE TABLE "shop"."checkout_audit_events" (');
    expect(up).not.toContain('IF NOT EXISTS "shop"."');
    expect(store.migrationSql('down')).toContain('DROP TABLE IF EXISTS "shop"."checkout_audit_events"');
    expect(store.migrationSql('up', { createAuditTable: false })).not.toContain('checkout_audit_events');
    expect(store.migrationSql('down', { createAuditTable: false })).not.toContain('checkout_audit_events');
    expect(store.migrationSql('up', { createAggregateTable: true })).toContain(
      'CREATE TABLE "shop"."orders" (\n  "id" text PRIMARY KEY',
    );
    // Default schema: 'public', never the connection's search_path.
    expect(createStateStore({ machine: orderMachine, aggregateTable: 'orders' }).migrationSql('up')).toContain(
      'ALTER TABLE "public"."orders"',
    );
  });

  it('quotes every name: reserved words and mixed case work as schema, table and column names', async () => {
    const options = { schema: t.schema, aggregateTable: 'Order', idColumn: 'select', auditTable: 'table' };
    const store = createStateStore({ machine: orderMachine, ...options });
    await store.migration({ createAggregateTable: true }).up(t.db);
    await store.deadlineMigration().up(t.db);
    expect(await tableNames()).toEqual(expect.arrayContaining(['Order', 'table']));
    await t.db.transaction().execute((trx) => store.create(trx, { id: 'o-1', eventId: 'e-1', actor: 'api' }));
    await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id: 'o-1', event: 'payment.declined', eventId: 'e-2', actor: 'w' }));
    expect(await store.get(t.db, 'o-1')).toMatchObject({ state: 'PAYMENT_DECLINED', version: 2 });
    expect(await store.history(t.db, 'o-1')).toHaveLength(2);
  });

  it('adds the state columns to an existing table, fails loudly on a clashing column, and down undoes it', async () => {
    await sql`CREATE TABLE ${sql.id(t.schema, 'shipments')} (shipment_no text PRIMARY KEY, carrier text NOT NULL)`.execute(
      t.db,
    );
    const migration = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'shipments',
      idColumn: 'shipment_no',
      auditTable: 'shipment_audit',
    }).migration();
    await migration.up(t.db);
    const columns = async () =>
      (
        await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = ${t.schema} AND table_name = 'shipments' ORDER BY ordinal_position`.execute(t.db)
      ).rows.map((row) => row.name);
    expect(await columns()).toEqual([
      'shipment_no',
      'carrier',
      'state',
      'version',
      'machine_version',
      'state_created_at',
      'state_updated_at',
    ]);
    expect(await tableNames()).toContain('shipment_audit');
    await expect(migration.up(t.db)).rejects.toThrow(/already exists/);
    // Plain CREATE TABLE: an audit table already there is not silently adopted either.
    await sql`ALTER TABLE ${sql.id(t.schema, 'shipments')} DROP COLUMN state, DROP COLUMN version,
      DROP COLUMN machine_version, DROP COLUMN state_created_at, DROP COLUMN state_updated_at`.execute(t.db);
    await expect(migration.up(t.db)).rejects.toThrow(/"shipment_audit" already exists/);
    await migration.down?.(t.db);
    expect(await columns()).toEqual(['shipment_no', 'carrier']);
    expect(await tableNames()).not.toContain('shipment_audit');
  });

  it('runs under Kysely’s Migrator, up and down', async () => {
    await sql`CREATE TABLE ${sql.id(t.schema, 'invoices')} (id uuid PRIMARY KEY)`.execute(t.db);
    const store = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'invoices',
      auditTable: 'invoice_audit',
    });
    const migrations = {
      '2026_11_25_invoice_state': store.migration(),
      '2026_12_02_invoice_deadlines': store.deadlineMigration(),
    };
    const migrator = new Migrator({
      db: t.db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: t.schema,
    });
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((result) => result.status)).toEqual(['Success', 'Success']);
    // A uuid primary key works: ids travel as text and Postgres casts them to the column's type.
    const id = '5f0c6e36-7d0a-4a52-9a43-0d5f1d2a7b11';
    await sql`INSERT INTO ${sql.id(t.schema, 'invoices')} (id) VALUES (${id})`.execute(t.db);
    await t.db.transaction().execute((trx) => store.create(trx, { id, eventId: 'e-1', actor: 'api' }));
    expect(await store.get(t.db, id)).toMatchObject({ id, state: 'PENDING_PAYMENT' });
    expect((await migrator.migrateDown()).error).toBeUndefined();
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(await tableNames()).not.toContain('invoice_audit');
  });

  it('enforces one audit row per version and per event id in the database itself', async () => {
    await createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'things',
      auditTable: 'things_audit',
    })
      .migration({ createAggregateTable: true })
      .up(t.db);
    const insert = (version: number, eventId: string) =>
      sql`INSERT INTO ${sql.id(t.schema, 'things_audit')} (machine_id, aggregate_id, version, kind, to_state, event_id,
        actor, machine_version) VALUES ('order', 'a', ${version}, 'created', 'X', ${eventId}, 'me', 1)`.execute(t.db);
    await insert(1, 'e1');
    await expect(insert(1, 'e2')).rejects.toThrow(/duplicate key/);
    await expect(insert(2, 'e1')).rejects.toThrow(/duplicate key/);
  });

  it('a store whose migration did not run answers StateMachineConfigError naming the table, before any write', async () => {
    const store = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'nowhere' });
    await expect(store.get(t.db, 'o-1')).rejects.toMatchObject({
      constructor: StateMachineConfigError,
      code: 'STATE_MACHINE_INVALID_CONFIG',
      field: 'aggregateTable',
    });
    await sql`CREATE TABLE ${sql.id(t.schema, 'half')} (id text PRIMARY KEY)`.execute(t.db);
    const half = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'half' });
    await half.migration().up(t.db);
    await sql`DROP TABLE ${sql.id(t.schema, 'checkout_audit_events')}`.execute(t.db);
    await expect(half.history(t.db, 'o-1')).rejects.toMatchObject({
      constructor: StateMachineConfigError,
      field: 'auditTable',
    });
  });
});
