import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, StateMachineInputError } from '../errors.js';
import { orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';

// Id columns whose type folds several spellings into one value (citext: case; char(n): trailing
// spaces; name: cut to 63 bytes) must never let two distinct aggregates share a row, and every
// method must agree on which row an id names.
let t: TestDb;
type Store = StateStore<typeof orderMachine, TestDatabase>;
const stores: Record<string, Store> = {};

beforeAll(async () => {
  t = await openTestDb();
  await sql`CREATE EXTENSION IF NOT EXISTS citext`.execute(t.db);
  const types: Record<string, string> = { named: 'name', fixed: 'char(8)', ci: 'citext' };
  for (const [table, type] of Object.entries(types)) {
    await sql`CREATE TABLE ${sql.id(t.schema, table)} (id ${sql.raw(type)} PRIMARY KEY)`.execute(t.db);
    await migrate(t.db, { schema: t.schema, aggregateTable: table, auditTable: `${table}_audit` });
    stores[table] = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: table,
      auditTable: `${table}_audit`,
    });
  }
});
afterAll(async () => {
  await t?.close();
});

function storeFor(table: string): Store {
  const store = stores[table];
  if (store === undefined) throw new Error(`no store ${table}`);
  return store;
}

describe('id columns that fold spellings', () => {
  it('a name key refuses ids over 63 bytes instead of merging two aggregates into one row', async () => {
    const store = storeFor('named');
    const a = `${'x'.repeat(63)}a`;
    const b = `${'x'.repeat(63)}b`;
    const fits = 'é'.repeat(31); // 62 bytes
    let refusal: unknown;
    await t.db.transaction().execute(async (trx) => {
      await store.create(trx, { id: fits, eventId: 'create-fits', actor: 't' });
      refusal = await store.create(trx, { id: a, eventId: 'create-a', actor: 't' }).catch((error: unknown) => error);
      // The transaction is still usable and commits.
      await store.apply(trx, { id: fits, event: 'attention.requested', eventId: 'after', actor: 't' });
    });
    expect(refusal).toBeInstanceOf(StateMachineInputError);
    expect(refusal).toMatchObject({ field: 'id' });
    expect(await store.get(t.db, fits)).toMatchObject({ id: fits, version: 2 });
    await expect(store.get(t.db, b)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      t.db
        .transaction()
        .execute((trx) => store.apply(trx, { id: b, event: 'attention.requested', eventId: 'b', actor: 't' })),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.history(t.db, a)).toEqual([]);
  });

  it.each([
    ['ci', 'Order-1', 'ORDER-1'],
    ['fixed', 'abc', 'abc '],
    ['fixed', 'abd', `abd${' '.repeat(6)}`],
  ])('%s: history by another spelling of %j finds what get and apply find', async (table, id, other) => {
    const store = storeFor(table);
    await t.db.transaction().execute((trx) => store.create(trx, { id, eventId: `create-${id}`, actor: 't' }));
    const applied = await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id: other, event: 'attention.requested', eventId: `x-${id}`, actor: 't' }));
    expect(applied.snapshot.id).toBe(id);
    expect((await store.get(t.db, other)).id).toBe(id);
    const history = await store.history(t.db, other);
    expect(history.map((entry) => entry.kind)).toEqual(['created', 'transition']);
    expect(history).toEqual(await store.history(t.db, id));
  });
});
