import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  EventIdReusedError,
  InvalidTransitionError,
  NotFoundError,
  StateMachineInputError,
  UnknownStateError,
  VersionConflictError,
} from '../errors.js';
import { defineMachine } from '../machine/define-machine.js';
import { orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';
import type { StateChange } from './types.js';

let t: TestDb;
let store: StateStore<typeof orderMachine, import('../test-support/test-database.js').TestDatabase>;
const changes: StateChange[] = [];
let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${++sequence}`;

beforeAll(async () => {
  t = await openTestDb();
  // The caller's own table with its own NOT NULL columns; the migration adds the state columns to it.
  await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (
    id text PRIMARY KEY, customer_id text NOT NULL, total_cents integer NOT NULL)`.execute(t.db);
  await sql`CREATE TABLE ${sql.id(t.schema, 'outbox')} (
    id text PRIMARY KEY, order_id text NOT NULL, type text NOT NULL)`.execute(t.db);
  await migrate(t.db, { schema: t.schema, aggregateTable: 'orders' });
  store = createStateStore({
    machine: orderMachine,
    schema: t.schema,
    aggregateTable: 'orders',
    onTransition: async (trx, change) => {
      changes.push(change);
      // Stands in for an outbox enqueue: a plain insert in the same transaction.
      await trx
        .insertInto('outbox')
        .values({ id: `${change.id}:${change.version}`, order_id: change.id, type: `state:${change.to}` })
        .execute();
    },
  });
});
afterAll(async () => {
  await t?.close();
});

async function newOrder(id = nextId('order')): Promise<string> {
  await t.db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id, customer_id: 'c-1', total_cents: 4200 }).execute();
    await store.create(trx, { id, eventId: `create:${id}`, actor: 'checkout-api' });
  });
  return id;
}

const apply = (id: string, event: (typeof orderMachine.events)[number], eventId: string, expectedVersion?: number) =>
  t.db.transaction().execute((trx) =>
    store.apply(trx, {
      id,
      event,
      eventId,
      actor: 'worker',
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    }),
  );

describe('create', () => {
  it('sets the initial state on the caller’s own row at version 1 and records a created entry', async () => {
    const id = await newOrder();
    const snapshot = await store.get(t.db, id);
    expect(snapshot).toMatchObject({ id, state: 'PENDING_PAYMENT', version: 1, machineVersion: 2 });
    expect(snapshot.createdAt).toBeInstanceOf(Date);
    const history = await store.history(t.db, id);
    expect(history).toEqual([
      expect.objectContaining({
        kind: 'created',
        version: 1,
        from: null,
        to: 'PENDING_PAYMENT',
        event: null,
        actor: 'checkout-api',
        eventId: `create:${id}`,
        machineId: 'order',
      }),
    ]);
    const row = await t.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.total_cents).toBe(4200);
  });

  it('is idempotent by event id, and refuses a second create under another event id', async () => {
    const id = await newOrder();
    const again = await t.db
      .transaction()
      .execute((trx) => store.create(trx, { id, eventId: `create:${id}`, actor: 'checkout-api' }));
    expect(again.applied).toBe(false);
    expect(again.snapshot.version).toBe(1);
    await expect(
      t.db.transaction().execute((trx) => store.create(trx, { id, eventId: 'other', actor: 'checkout-api' })),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);
  });

  it('inserts the row itself when the table has no row yet (store-owned table)', async () => {
    await migrate(t.db, {
      schema: t.schema,
      aggregateTable: 'payments',
      createAggregateTable: true,
      createAuditTable: false, // shares the orders store's audit table
    });
    const payments = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'payments',
    });
    await t.db.transaction().execute((trx) => payments.create(trx, { id: 'p-1', eventId: 'e-1', actor: 'api' }));
    expect(await payments.get(t.db, 'p-1')).toMatchObject({ state: 'PENDING_PAYMENT', version: 1 });
  });
});

describe('apply', () => {
  it('walks the happy path with contiguous versions and an ordered timeline', async () => {
    const id = await newOrder();
    const path = ['payment.authorized', 'inventory.reserved', 'fulfillment.started', 'fulfillment.completed'] as const;
    for (const [index, event] of path.entries()) {
      const result = await apply(id, event, `${id}:${event}`, index + 1);
      expect(result.applied).toBe(true);
      expect(result.snapshot.version).toBe(index + 2);
    }
    const history = await store.history(t.db, id);
    expect(history.map((entry) => [entry.version, entry.from, entry.event, entry.to])).toEqual([
      [1, null, null, 'PENDING_PAYMENT'],
      [2, 'PENDING_PAYMENT', 'payment.authorized', 'PAYMENT_AUTHORIZED'],
      [3, 'PAYMENT_AUTHORIZED', 'inventory.reserved', 'INVENTORY_RESERVED'],
      [4, 'INVENTORY_RESERVED', 'fulfillment.started', 'FULFILLMENT_STARTED'],
      [5, 'FULFILLMENT_STARTED', 'fulfillment.completed', 'COMPLETED'],
    ]);
    expect(await store.get(t.db, id)).toMatchObject({ state: 'COMPLETED', version: 5 });
    // onTransition ran once per change, in the same transaction (its outbox rows committed).
    expect(await t.count('outbox', `order_id = '${id}'`)).toBe(5);
  });

  it('re-applying the same event id writes nothing and returns the current state', async () => {
    const id = await newOrder();
    const first = await apply(id, 'payment.authorized', 'msg-1');
    await apply(id, 'inventory.reserved', 'msg-2');
    const auditBefore = await t.count('checkout_audit_events', `aggregate_id = '${id}'`);
    const outboxBefore = await t.count('outbox', `order_id = '${id}'`);
    const replay = await apply(id, 'payment.authorized', 'msg-1');
    expect(replay.applied).toBe(false);
    expect(replay.snapshot).toMatchObject({ state: 'INVENTORY_RESERVED', version: 3 });
    expect(replay.entry).toEqual(first.entry);
    // A stale expectedVersion on a replay is still a replay, not a conflict.
    expect((await apply(id, 'payment.authorized', 'msg-1', 1)).applied).toBe(false);
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(auditBefore);
    expect(await t.count('outbox', `order_id = '${id}'`)).toBe(outboxBefore);
    await expect(apply(id, 'fulfillment.started', 'msg-1')).rejects.toBeInstanceOf(EventIdReusedError);
  });

  it('refuses a disallowed event with the allowed ones listed, writing nothing', async () => {
    const id = await newOrder();
    const error = await apply(id, 'fulfillment.completed', 'bad-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({
      from: 'PENDING_PAYMENT',
      allowedEvents: ['payment.authorized', 'payment.declined', 'payment.timed_out', 'attention.requested'],
    });
    expect(await store.get(t.db, id)).toMatchObject({ state: 'PENDING_PAYMENT', version: 1 });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);
  });

  it('checks expectedVersion', async () => {
    const id = await newOrder();
    await apply(id, 'payment.authorized', 'v-1', 1);
    const error = await apply(id, 'inventory.reserved', 'v-2', 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({
      code: 'STATE_MACHINE_VERSION_CONFLICT',
      expectedVersion: 1,
      actualVersion: 2,
      httpStatus: 409,
    });
  });

  it('throws NotFoundError for an unknown id and for a row without state', async () => {
    await expect(apply('missing', 'payment.authorized', 'x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.get(t.db, 'missing')).rejects.toBeInstanceOf(NotFoundError);
    await t.db.insertInto('orders').values({ id: 'stateless', customer_id: 'c', total_cents: 1 }).execute();
    await expect(store.get(t.db, 'stateless')).rejects.toMatchObject({
      code: 'STATE_MACHINE_NOT_FOUND',
      httpStatus: 404,
    });
    expect(await store.history(t.db, 'missing')).toEqual([]);
  });

  it('rejects bad input with a typed error naming the field, writing nothing', async () => {
    const id = await newOrder();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['id', { id: '' }],
      ['eventId', { eventId: '   ' }],
      ['eventId', { eventId: 'x'.repeat(201) }],
      ['actor', { actor: undefined }],
      ['event', { event: 'payment.captured' }],
      ['expectedVersion', { expectedVersion: -1 }],
      ['payload.amount', { payload: { amount: 10n } }],
      ['payload.amount', { payload: { amount: Number.NaN } }],
      ['reason', { reason: '' }],
    ];
    for (const [field, override] of cases) {
      const input = { id, event: 'payment.authorized', eventId: 'e', actor: 'worker', ...override };
      const error = await t.db
        .transaction()
        .execute((trx) => store.apply(trx, input as Parameters<typeof store.apply>[1]))
        .catch((caught: unknown) => caught);
      expect(error, field).toBeInstanceOf(StateMachineInputError);
      expect(error).toMatchObject({ field, code: 'STATE_MACHINE_INVALID_INPUT', httpStatus: 400 });
    }
    // Outside a transaction the store refuses to write at all.
    const noTrx = await store
      .apply(t.db as never, { id, event: 'payment.authorized', eventId: 'e', actor: 'w' })
      .catch((caught: unknown) => caught);
    expect(noTrx).toMatchObject({ field: 'trx' });
    expect(await store.get(t.db, id)).toMatchObject({ version: 1 });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);
  });

  it('records the payload and reason, and stores the machine version of each write', async () => {
    const id = await newOrder();
    const v2 = defineMachine({ ...orderMachineDefinitionV2() });
    const storeV2 = createStateStore({ machine: v2, schema: t.schema, aggregateTable: 'orders' });
    await t.db.transaction().execute((trx) =>
      storeV2.apply(trx, {
        id,
        event: 'payment.authorized',
        eventId: 'p-1',
        actor: 'payment-worker',
        reason: 'provider said yes',
        payload: { providerId: 'pi_123', amount: { cents: 4200, currency: 'EUR' } },
      }),
    );
    expect(await storeV2.get(t.db, id)).toMatchObject({ machineVersion: 3 });
    const [created, authorized] = await store.history(t.db, id);
    expect(created?.machineVersion).toBe(2);
    expect(authorized).toMatchObject({
      machineVersion: 3,
      reason: 'provider said yes',
      payload: { providerId: 'pi_123', amount: { cents: 4200, currency: 'EUR' } },
    });
  });
});

describe('guards and transactions', () => {
  it('passes payload and actor to guards; a refusing guard writes nothing', async () => {
    const refunds = defineMachine({
      id: 'refund',
      version: 1,
      initial: 'REQUESTED',
      states: {
        REQUESTED: { on: { approved: { target: 'APPROVED', guard: 'underLimit' } } },
        APPROVED: { terminal: true },
      },
      guards: {
        underLimit: ({ payload, actor }) =>
          actor === 'refund-worker' && typeof payload === 'object' && payload !== null && 'cents' in payload
            ? Number(payload.cents) <= 5000
            : false,
      },
    });
    await migrate(t.db, {
      schema: t.schema,
      aggregateTable: 'refunds',
      auditTable: 'refund_audit',
      createAggregateTable: true,
    });
    const store = createStateStore({
      machine: refunds,
      schema: t.schema,
      aggregateTable: 'refunds',
      auditTable: 'refund_audit',
    });
    await t.db.transaction().execute((trx) => store.create(trx, { id: 'r-1', eventId: 'c', actor: 'api' }));
    const approve = (cents: number, eventId: string) =>
      t.db
        .transaction()
        .execute((trx) =>
          store.apply(trx, { id: 'r-1', event: 'approved', eventId, actor: 'refund-worker', payload: { cents } }),
        );
    await expect(approve(9000, 'big')).rejects.toMatchObject({
      code: 'STATE_MACHINE_INVALID_TRANSITION',
      reason: 'guard-rejected',
    });
    expect(await store.get(t.db, 'r-1')).toMatchObject({ state: 'REQUESTED', version: 1 });
    expect((await approve(1200, 'small')).snapshot).toMatchObject({ state: 'APPROVED', version: 2 });
  });

  it('writes are visible inside the caller’s transaction and nowhere else until it commits', async () => {
    const id = await newOrder();
    await t.db.transaction().execute(async (trx) => {
      await store.apply(trx, { id, event: 'payment.authorized', eventId: 'vis-1', actor: 'worker' });
      expect(await store.get(trx, id)).toMatchObject({ state: 'PAYMENT_AUTHORIZED', version: 2 });
      expect(await store.history(trx, id)).toHaveLength(2);
      expect(await store.get(t.db, id)).toMatchObject({ state: 'PENDING_PAYMENT', version: 1 });
      expect(await store.history(t.db, id)).toHaveLength(1);
    });
    expect(await store.get(t.db, id)).toMatchObject({ state: 'PAYMENT_AUTHORIZED', version: 2 });
  });
});

describe('force (manual repair)', () => {
  it('moves an order out of a terminal state, audited as forced with actor and reason, once per event id', async () => {
    const id = await newOrder();
    await apply(id, 'payment.declined', 'decline-1');
    const repair = {
      id,
      to: 'PENDING_PAYMENT' as const,
      eventId: 'ticket-77',
      actor: 'support:alice',
      reason: 'provider confirmed the decline was an error (ticket 77)',
      payload: { ticket: 77 },
    };
    const forced = await t.db.transaction().execute((trx) => store.force(trx, repair));
    expect(forced).toMatchObject({ applied: true, snapshot: { state: 'PENDING_PAYMENT', version: 3 } });
    const again = await t.db.transaction().execute((trx) => store.force(trx, repair));
    expect(again.applied).toBe(false);
    const last = (await store.history(t.db, id)).at(-1);
    expect(last).toMatchObject({
      kind: 'forced',
      version: 3,
      from: 'PAYMENT_DECLINED',
      to: 'PENDING_PAYMENT',
      event: null,
      actor: 'support:alice',
      reason: repair.reason,
      payload: { ticket: 77 },
      eventId: 'ticket-77',
    });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}' AND kind = 'forced'`)).toBe(1);
    expect(changes.filter((change) => change.id === id && change.kind === 'forced')).toHaveLength(1);
  });

  it('requires a reason and a known target state', async () => {
    const id = await newOrder();
    const missingReason = await t.db
      .transaction()
      .execute((trx) =>
        store.force(trx, { id, to: 'CANCELLED', eventId: 'f', actor: 'support:bob' } as Parameters<
          typeof store.force
        >[1]),
      )
      .catch((caught: unknown) => caught);
    expect(missingReason).toMatchObject({ code: 'STATE_MACHINE_INVALID_INPUT', field: 'reason' });
    const unknownTarget = await t.db
      .transaction()
      .execute((trx) =>
        store.force(trx, { id, to: 'SHIPPED' as 'CANCELLED', eventId: 'f', actor: 'support:bob', reason: 'x' }),
      )
      .catch((caught: unknown) => caught);
    expect(unknownTarget).toMatchObject({ code: 'STATE_MACHINE_INVALID_INPUT', field: 'to' });
    expect(await store.get(t.db, id)).toMatchObject({ version: 1 });
  });

  it('repairs a row whose state the machine does not know (read as UnknownStateError)', async () => {
    const id = await newOrder();
    await sql`UPDATE ${sql.id(t.schema, 'orders')} SET state = 'LEGACY_HOLD' WHERE id = ${id}`.execute(t.db);
    await expect(store.get(t.db, id)).rejects.toBeInstanceOf(UnknownStateError);
    await expect(apply(id, 'payment.authorized', 'u-1')).rejects.toMatchObject({ code: 'STATE_MACHINE_UNKNOWN_STATE' });
    await t.db
      .transaction()
      .execute((trx) =>
        store.force(trx, { id, to: 'NEEDS_ATTENTION', eventId: 'fix-1', actor: 'support:kim', reason: 'legacy state' }),
      );
    expect(await store.get(t.db, id)).toMatchObject({ state: 'NEEDS_ATTENTION', version: 2 });
    expect((await store.history(t.db, id)).at(-1)).toMatchObject({ from: 'LEGACY_HOLD', kind: 'forced' });
  });
});

describe('one transaction with the outbox', () => {
  it('an outbox row written before a failed transition rolls back with it', async () => {
    const id = await newOrder();
    const outboxBefore = await t.count('outbox', `order_id = '${id}'`);
    const error = await t.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('outbox')
          .values({ id: `${id}:manual`, order_id: id, type: 'StartFulfillment' })
          .execute();
        await store.apply(trx, { id, event: 'fulfillment.started', eventId: 'f-1', actor: 'worker' });
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(await t.count('outbox', `order_id = '${id}'`)).toBe(outboxBefore);
    expect(await store.get(t.db, id)).toMatchObject({ state: 'PENDING_PAYMENT', version: 1 });
  });

  it('a failure after apply rolls back the state change, its audit entry and the hook’s outbox row', async () => {
    const id = await newOrder();
    const failure = new Error('payment provider call failed after the transition');
    const error = await t.db
      .transaction()
      .execute(async (trx) => {
        const result = await store.apply(trx, { id, event: 'payment.authorized', eventId: 'a-1', actor: 'worker' });
        expect(result.applied).toBe(true);
        throw failure;
      })
      .catch((caught: unknown) => caught);
    expect(error).toBe(failure);
    expect(await store.get(t.db, id)).toMatchObject({ state: 'PENDING_PAYMENT', version: 1 });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);
    expect(await t.count('outbox', `order_id = '${id}'`)).toBe(1);
    // The event id is free again: a retry applies it.
    expect((await apply(id, 'payment.authorized', 'a-1')).applied).toBe(true);
  });

  it('a throwing onTransition hook rolls the transition back', async () => {
    const id = await newOrder();
    const failing = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'orders',
      onTransition: () => {
        throw new Error('outbox full');
      },
    });
    await expect(
      t.db
        .transaction()
        .execute((trx) => failing.apply(trx, { id, event: 'payment.declined', eventId: 'd-1', actor: 'w' })),
    ).rejects.toThrow('outbox full');
    expect(await store.get(t.db, id)).toMatchObject({ state: 'PENDING_PAYMENT', version: 1 });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);
  });
});

function orderMachineDefinitionV2() {
  return {
    id: 'order',
    version: 3,
    initial: 'PENDING_PAYMENT',
    states: {
      PENDING_PAYMENT: { on: { 'payment.authorized': 'PAYMENT_AUTHORIZED' } },
      PAYMENT_AUTHORIZED: { terminal: true },
    },
  } as const;
}
