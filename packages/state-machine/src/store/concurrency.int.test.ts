import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTransitionError, VersionConflictError } from '../errors.js';
import { canTransition } from '../machine/transition.js';
import { type OrderEvent, type OrderState, orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';

// Many writers on one order, each in its own transaction on its own connection (pool of 30).
let t: TestDb;
let store: StateStore<typeof orderMachine, TestDatabase>;

async function newOrder(id: string): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id, customer_id: 'c', total_cents: 100 }).execute();
    await store.create(trx, { id, eventId: `create:${id}`, actor: 'api' });
  });
}

type Outcome = { ok: true; version: number; event: OrderEvent } | { ok: false; error: unknown };

async function race(
  id: string,
  calls: ReadonlyArray<{ event: OrderEvent; eventId: string; expectedVersion?: number }>,
): Promise<Outcome[]> {
  return Promise.all(
    calls.map(async ({ event, eventId, expectedVersion }): Promise<Outcome> => {
      try {
        const result = await t.db.transaction().execute((trx) =>
          store.apply(trx, {
            id,
            event,
            eventId,
            actor: `worker-${eventId}`,
            ...(expectedVersion === undefined ? {} : { expectedVersion }),
          }),
        );
        return result.applied ? { ok: true, version: result.snapshot.version, event } : { ok: false, error: 'dup' };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
}

// Every test twice: the one statement sent as it is, and run by the function of functionMigration.
describe.each([false, true])('with functionMigration: %s', (stepFunction) => {
  beforeAll(async () => {
    t = await openTestDb();
    await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (id text PRIMARY KEY, customer_id text NOT NULL,
      total_cents integer NOT NULL)`.execute(t.db);
    await sql`CREATE TABLE ${sql.id(t.schema, 'outbox')} (id text PRIMARY KEY, order_id text NOT NULL,
      type text NOT NULL)`.execute(t.db);
    await migrate(t.db, { schema: t.schema, aggregateTable: 'orders', stepFunction });
    store = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'orders',
      onTransition: async (trx, change) => {
        await trx
          .insertInto('outbox')
          .values({ id: `${change.id}:${change.eventId}`, order_id: change.id, type: `state:${change.to}` })
          .execute();
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('concurrent apply on one order', () => {
    it('20 competing events: only valid transitions succeed, versions are contiguous, audit rows match 1:1', async () => {
      const id = 'race-20';
      await newOrder(id);
      const competing: OrderEvent[] = [
        'payment.authorized',
        'payment.declined',
        'inventory.reserved',
        'inventory.short',
        'fulfillment.started',
        'fulfillment.completed',
        'payment.voided',
        'order.cancelled',
        'attention.requested',
      ];
      const calls = Array.from({ length: 20 }, (_, index) => ({
        event: competing[index % competing.length] as OrderEvent,
        eventId: `evt-${index}`,
      }));
      const outcomes = await race(id, calls);

      const succeeded = outcomes.filter((outcome) => outcome.ok);
      const failed = outcomes.filter((outcome) => !outcome.ok);
      // Every failure is a refused transition; nothing else (no unique violation, no deadlock, no conflict).
      for (const outcome of failed) expect(outcome.error).toBeInstanceOf(InvalidTransitionError);
      expect(succeeded.length + failed.length).toBe(20);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);

      const history = await store.history(t.db, id);
      const snapshot = await store.get(t.db, id);
      // Versions 1..n with no gap or duplicate, one audit row per version, n = 1 + successes.
      expect(history.map((entry) => entry.version)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1));
      expect(history).toHaveLength(1 + succeeded.length);
      expect(snapshot.version).toBe(history.length);
      expect(snapshot.state).toBe(history.at(-1)?.to);
      expect(succeeded.map((outcome) => (outcome.ok ? outcome.version : 0)).sort((a, b) => a - b)).toEqual(
        history.slice(1).map((entry) => entry.version),
      );
      // The timeline is a valid walk of the machine: each entry starts where the previous ended.
      for (const [index, entry] of history.entries()) {
        if (index === 0) {
          expect(entry).toMatchObject({ kind: 'created', to: 'PENDING_PAYMENT' });
          continue;
        }
        expect(entry.kind).toBe('transition');
        expect(entry.from).toBe(history[index - 1]?.to);
        expect(canTransition(orderMachine, entry.from as OrderState, entry.event as OrderEvent)).toBe(true);
      }
      // Each refused call was refused by the state it met: its event was not allowed from some state on the walk.
      const eventIds = new Set(history.map((entry) => entry.eventId));
      for (const [index, call] of calls.entries()) {
        expect(eventIds.has(call.eventId)).toBe(outcomes[index]?.ok === true);
      }
      // The outbox rows written by onTransition match the transitions one to one.
      expect(await t.count('outbox', `order_id = '${id}'`)).toBe(history.length);
    });

    it('20 writers with the same expectedVersion: exactly one wins, the rest get VersionConflictError', async () => {
      const id = 'race-expected';
      await newOrder(id);
      const events: OrderEvent[] = ['payment.authorized', 'payment.declined', 'attention.requested'];
      const outcomes = await race(
        id,
        Array.from({ length: 20 }, (_, index) => ({
          event: events[index % events.length] as OrderEvent,
          eventId: `x-${index}`,
          expectedVersion: 1,
        })),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      for (const outcome of outcomes.filter((o) => !o.ok)) {
        expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(VersionConflictError);
      }
      const history = await store.history(t.db, id);
      expect(history.map((entry) => entry.version)).toEqual([1, 2]);
    });

    it('20 concurrent deliveries of one event id: applied once, every caller gets the same state', async () => {
      const id = 'race-duplicate';
      await newOrder(id);
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.db
            .transaction()
            .execute((trx) =>
              store.apply(trx, { id, event: 'payment.authorized', eventId: 'sqs-msg-1', actor: 'payment-worker' }),
            ),
        ),
      );
      expect(results.filter((result) => result.applied)).toHaveLength(1);
      for (const result of results) {
        expect(result.snapshot).toMatchObject({ state: 'PAYMENT_AUTHORIZED', version: 2 });
        expect(result.entry).toMatchObject({ eventId: 'sqs-msg-1', version: 2 });
      }
      expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(2);
      expect(await t.count('outbox', `order_id = '${id}'`)).toBe(2);
    });

    it('20 concurrent creates with one event id: created once, on the caller’s row and on a store-owned table', async () => {
      const id = 'race-create';
      await t.db.insertInto('orders').values({ id, customer_id: 'c', total_cents: 1 }).execute();
      const created = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.db.transaction().execute((trx) => store.create(trx, { id, eventId: 'checkout-req-1', actor: 'api' })),
        ),
      );
      expect(created.filter((result) => result.applied)).toHaveLength(1);
      expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);

      // Store-owned table: no row exists, the creates race on the INSERT itself.
      // The orders store's migration created the shared audit table.
      await migrate(t.db, {
        schema: t.schema,
        aggregateTable: 'carts',
        createAggregateTable: true,
        createAuditTable: false,
      });
      const carts = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'carts' });
      const inserted = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.db.transaction().execute((trx) => carts.create(trx, { id: 'cart-1', eventId: 'req-1', actor: 'api' })),
        ),
      );
      expect(inserted.filter((result) => result.applied)).toHaveLength(1);
      expect(await t.count('carts')).toBe(1);
      expect(await carts.history(t.db, 'cart-1')).toHaveLength(1);
    });
  });
});
