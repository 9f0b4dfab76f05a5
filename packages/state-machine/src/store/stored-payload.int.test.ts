import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineMachine } from '../machine/define-machine.js';
import { orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';
import type { JsonValue, StateChange } from './types.js';

// apply(), create() and force() return the audit entry as stored (jsonb), the same value a replay and
// history() return: a Date is its ISO string, undefined properties are gone, -0 is 0, keys in jsonb order.
let t: TestDb;
let store: StateStore<typeof orderMachine, TestDatabase>;
const changes: StateChange[] = [];

beforeAll(async () => {
  t = await openTestDb();
  await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (
    id text PRIMARY KEY, customer_id text NOT NULL, total_cents integer NOT NULL)`.execute(t.db);
  await migrate(t.db, { schema: t.schema, aggregateTable: 'orders' });
  store = createStateStore({
    machine: orderMachine,
    schema: t.schema,
    aggregateTable: 'orders',
    onTransition: (_trx, change) => {
      changes.push(change);
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const at = new Date('2026-12-02T08:00:00.123Z');

/** A payload JSON (and jsonb) rewrites: the caller's value differs from what is stored. */
function richPayload(): JsonValue {
  return {
    zz: 'last key written first',
    authorizedAt: at,
    skipped: undefined,
    lines: [{ sku: 'mug', qty: 2, note: undefined }, undefined, { sku: 'tee', qty: -0 }],
    money: { toJSON: () => ({ cents: 4200, currency: 'EUR' }) },
    big: 1e300,
    tiny: 5e-324,
    a: 1,
  } as unknown as JsonValue;
}

const stored = {
  a: 1,
  zz: 'last key written first',
  big: 1e300,
  tiny: 5e-324,
  lines: [{ sku: 'mug', qty: 2 }, null, { sku: 'tee', qty: 0 }],
  money: { cents: 4200, currency: 'EUR' },
  authorizedAt: '2026-12-02T08:00:00.123Z',
};

describe('the returned entry is what was stored', () => {
  it('apply: its entry deep-equals the replay’s and history’s, key order included', async () => {
    const id = 'order-apply';
    await t.db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id, customer_id: 'c', total_cents: 1 }).execute();
      await store.create(trx, { id, eventId: 'c-1', actor: 'api' });
    });
    const apply = () =>
      t.db.transaction().execute((trx) =>
        store.apply(trx, {
          id,
          event: 'payment.authorized',
          eventId: 'msg-1',
          actor: 'payment-worker',
          payload: richPayload(),
        }),
      );
    const first = await apply();
    const replay = await apply();
    const history = (await store.history(t.db, id)).at(-1);
    expect(first.applied).toBe(true);
    expect(replay.applied).toBe(false);
    expect(first.entry.payload).toStrictEqual(stored);
    expect(first.entry).toStrictEqual(history);
    expect(replay.entry).toStrictEqual(history);
    expect(JSON.stringify(first.entry.payload)).toBe(JSON.stringify(history?.payload));
    expect(Object.is((first.entry.payload as { lines: [unknown, unknown, { qty: number }] }).lines[2].qty, 0)).toBe(
      true,
    );
    // onTransition saw the stored payload too.
    expect(changes.find((change) => change.eventId === 'msg-1')?.payload).toStrictEqual(history?.payload);
  });

  it('create and force: same', async () => {
    const id = 'order-create';
    const created = await t.db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id, customer_id: 'c', total_cents: 1 }).execute();
      return store.create(trx, { id, eventId: 'c-1', actor: 'api', payload: richPayload() });
    });
    const forced = await t.db.transaction().execute((trx) =>
      store.force(trx, {
        id,
        to: 'NEEDS_ATTENTION',
        eventId: 'ticket-1',
        actor: 'support:alice',
        reason: 'check',
        payload: richPayload(),
      }),
    );
    const forcedAgain = await t.db.transaction().execute((trx) =>
      store.force(trx, {
        id,
        to: 'NEEDS_ATTENTION',
        eventId: 'ticket-1',
        actor: 'support:alice',
        reason: 'check',
        payload: richPayload(),
      }),
    );
    const [createdEntry, forcedEntry] = await store.history(t.db, id);
    expect(created.entry).toStrictEqual(createdEntry);
    expect(forced.entry).toStrictEqual(forcedEntry);
    expect(forcedAgain.entry).toStrictEqual(forcedEntry);
    expect(forced.entry.payload).toStrictEqual(stored);
  });

  it('no payload is null everywhere; a scalar payload round-trips', async () => {
    const id = 'order-scalar';
    await t.db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id, customer_id: 'c', total_cents: 1 }).execute();
      const created = await store.create(trx, { id, eventId: 'c-1', actor: 'api' });
      expect(created.entry.payload).toBeNull();
      const applied = await store.apply(trx, {
        id,
        event: 'payment.authorized',
        eventId: 'a-1',
        actor: 'w',
        payload: at as unknown as JsonValue,
      });
      expect(applied.entry.payload).toBe('2026-12-02T08:00:00.123Z');
    });
    expect((await store.history(t.db, id)).map((entry) => entry.payload)).toEqual([null, '2026-12-02T08:00:00.123Z']);
  });

  it('guards see the payload as it will be recorded', async () => {
    const seen: unknown[] = [];
    const machine = defineMachine({
      id: 'guarded',
      version: 1,
      initial: 'OPEN',
      states: { OPEN: { on: { close: { target: 'CLOSED', guard: 'record' } } }, CLOSED: { terminal: true } },
      guards: {
        record: ({ payload }) => {
          seen.push(payload);
          return true;
        },
      },
    });
    await migrate(t.db, {
      schema: t.schema,
      aggregateTable: 'tickets',
      auditTable: 'ticket_audit',
      createAggregateTable: true,
    });
    const tickets = createStateStore({
      machine,
      schema: t.schema,
      aggregateTable: 'tickets',
      auditTable: 'ticket_audit',
    });
    const result = await t.db.transaction().execute(async (trx) => {
      await tickets.create(trx, { id: 't-1', eventId: 'c', actor: 'api' });
      return tickets.apply(trx, { id: 't-1', event: 'close', eventId: 'x', actor: 'w', payload: richPayload() });
    });
    expect(seen).toEqual([stored]);
    expect(result.entry.payload).toStrictEqual(stored);
  });
});
