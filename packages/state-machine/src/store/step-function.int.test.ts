import { createTestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTransitionError, VersionConflictError } from '../errors.js';
import { defineMachine } from '../machine/define-machine.js';
import { orderMachine } from '../order/order-machine.js';
import { createStateStore } from './state-store.js';

// functionMigration: the function runs the step statement of apply and advance from a plan the session
// keeps. These tests show that a store uses it once it exists, that it answers exactly as the statement
// does, and that it works for every id column type and machine shape (concurrency.int.test.ts and
// advance-one-statement.int.test.ts run every case with and without it).
const stack = useCheckoutStack();
let schema: Awaited<ReturnType<typeof createTestSchema>>;
let pool: pg.Pool;
let db: Kysely<Record<string, never>>;
const sent: string[] = [];

beforeAll(async () => {
  schema = await createTestSchema(stack.postgres, 'smfn');
  pool = new pg.Pool({ connectionString: stack.postgres.url, max: 10 });
  db = new Kysely({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') sent.push(event.query.sql);
    },
  });
});
afterAll(async () => {
  await db?.destroy();
  await schema?.drop();
});

const ticket = defineMachine({
  id: 'ticket',
  version: 1,
  initial: 'OPEN',
  states: {
    OPEN: { on: { escalated: 'ESCALATED', closed: 'CLOSED' } },
    ESCALATED: { on: { closed: 'CLOSED' } },
    CLOSED: { terminal: true },
  },
});

/** Two stores of `machine` on two copies of one table layout: one with the function, one without. */
async function storesOn(table: string, idType: string, machine: typeof ticket | typeof orderMachine) {
  const stores = [];
  for (const withFunction of [true, false]) {
    const aggregateTable = `${table}_${withFunction ? 'fn' : 'plain'}`;
    await sql`CREATE TABLE ${sql.id(schema.name, aggregateTable)} (id ${sql.raw(idType)} PRIMARY KEY)`.execute(db);
    const store = createStateStore({
      machine,
      schema: schema.name,
      aggregateTable,
      auditTable: `${aggregateTable}_audit`,
    });
    await store.migration().up(db);
    if (machine.deadlines !== undefined && machine.deadlines.length > 0) await store.deadlineMigration().up(db);
    if (withFunction) await store.functionMigration().up(db);
    stores.push(store);
  }
  return stores as [(typeof stores)[number], (typeof stores)[number]];
}

describe('functionMigration', () => {
  it('is plain CREATE FUNCTION in the schema (the key typed as the id column), and down drops exactly it', () => {
    const store = createStateStore({ machine: orderMachine, schema: 'shop', aggregateTable: 'orders' });
    const up = store.functionMigrationSql('up');
    expect(up).toMatch(/^CREATE FUNCTION "shop"\."checkout_step_[0-9a-f]{16}"\(p_key "shop"\."orders"\."id"%TYPE, /);
    expect(up).toContain('LANGUAGE plpgsql');
    expect(up).toContain('deadline_at = m.due');
    expect(store.functionMigrationSql('down')).toMatch(
      /^DROP FUNCTION IF EXISTS "shop"\."checkout_step_[0-9a-f]{16}"\("shop"\."orders"\."id"%TYPE, text\[\], /,
    );
    // Another table, another function; a machine without deadlines does not set deadline_at.
    const other = createStateStore({ machine: ticket, schema: 'shop', aggregateTable: 'tickets' });
    expect(other.functionMigrationSql('up')).not.toContain('deadline_at');
    expect(other.functionMigrationSql('up').slice(0, 60)).not.toBe(up.slice(0, 60));
    expect(() => store.functionMigrationSql('sideways' as 'up')).toThrow(/direction/);
  });

  for (const [idType, ids] of [
    ['text', ['t-1', 't-2']],
    ['bigint', ['1', '2']],
    ['uuid', ['6f1c2d3e-0000-4000-8000-000000000001', '6f1c2d3e-0000-4000-8000-000000000002']],
  ] as const) {
    it(`a store uses it (${idType} ids) and answers exactly as the statement does`, async () => {
      const [withFunction, plain] = await storesOn(`t_${idType}`, idType, ticket);
      const outcomes = [];
      for (const store of [withFunction, plain]) {
        sent.length = 0;
        const run = async () => {
          const steps = [];
          for (const id of ids) {
            await db.transaction().execute((trx) => store.create(trx, { id, eventId: `c-${id}`, actor: 'a' }));
            const apply = (event: 'escalated' | 'closed', eventId: string, extra = {}) =>
              db
                .transaction()
                .execute((trx) =>
                  store.apply(trx, { id, event, eventId, actor: 'a', reason: 'why', payload: { n: 1 }, ...extra }),
                );
            steps.push(await apply('escalated', `e-${id}`));
            steps.push(await apply('escalated', `e-${id}`)); // the same event id again: a replay
            await expect(apply('closed', `x-${id}`, { expectedVersion: 1 })).rejects.toBeInstanceOf(
              VersionConflictError,
            );
            steps.push(await apply('closed', `x-${id}`, { expectedVersion: 2 }));
            await expect(apply('escalated', `late-${id}`)).rejects.toBeInstanceOf(InvalidTransitionError);
            steps.push(await store.history(db, id));
            // advance: a two-event step (contiguous versions, eventId and eventId#2), its replay, a late
            // step (not-allowed) and a stale expectedVersion.
            const other = `${id.slice(0, -1)}${Number(id.slice(-1)) + 5}`;
            await db
              .transaction()
              .execute((trx) => store.create(trx, { id: other, eventId: `c-${other}`, actor: 'a' }));
            const advance = (events: 'closed' | readonly ['escalated', 'closed'], eventId: string, extra = {}) =>
              db
                .transaction()
                .execute((trx) =>
                  store.advance(trx, { id: other, events, eventId, actor: 'a', payload: [1, 'x'], ...extra }),
                );
            await expect(advance(['escalated', 'closed'], `s-${other}`, { expectedVersion: 2 })).rejects.toBeInstanceOf(
              VersionConflictError,
            );
            steps.push(await advance(['escalated', 'closed'], `s-${other}`, { expectedVersion: 1 }));
            steps.push(await advance(['escalated', 'closed'], `s-${other}`));
            steps.push(await advance('closed', `late-${other}`));
            steps.push(await store.history(db, other));
          }
          return steps;
        };
        outcomes.push(JSON.parse(JSON.stringify(await run(), (key, value) => (/At$|^at$/.test(key) ? 0 : value))));
        const viaFunction = sent.some((text) => text.includes('checkout_step_'));
        expect(viaFunction).toBe(store === withFunction);
      }
      expect(outcomes[0]).toEqual(outcomes[1]);
    });
  }

  it("sets the deadline of the state entered, as the statement does (orderMachine's payment timeout)", async () => {
    const [withFunction, plain] = await storesOn('orders', 'text', orderMachine);
    for (const [store, table] of [
      [withFunction, 'orders_fn'],
      [plain, 'orders_plain'],
    ] as const) {
      await db.transaction().execute(async (trx) => {
        await store.create(trx, { id: 'o-1', eventId: 'c-1', actor: 'a' });
        await store.apply(trx, { id: 'o-1', event: 'payment.authorized', eventId: 'p-1', actor: 'a' });
      });
      const { rows } = await sql<{ state: string; due: boolean }>`SELECT state,
          deadline_at IS NOT NULL AS due FROM ${sql.id(schema.name, table)} WHERE id = 'o-1'`.execute(db);
      const deadline = orderMachine.deadlines.find((d) => d.state === 'PAYMENT_AUTHORIZED');
      expect(rows[0]).toEqual({ state: 'PAYMENT_AUTHORIZED', due: deadline !== undefined });
    }
  });

  it('down drops it: a store created afterwards sends the statement again', async () => {
    const [withFunction] = await storesOn('dropped', 'text', ticket);
    await withFunction.functionMigration().down?.(db);
    const again = createStateStore({
      machine: ticket,
      schema: schema.name,
      aggregateTable: 'dropped_fn',
      auditTable: 'dropped_fn_audit',
    });
    sent.length = 0;
    await db.transaction().execute(async (trx) => {
      await again.create(trx, { id: 'd-1', eventId: 'c', actor: 'a' });
      await again.apply(trx, { id: 'd-1', event: 'closed', eventId: 'x', actor: 'a' });
    });
    expect(sent.some((text) => text.includes('checkout_step_'))).toBe(false);
    expect(sent.some((text) => text.startsWith('WITH updated AS'))).toBe(true);
  });
});
