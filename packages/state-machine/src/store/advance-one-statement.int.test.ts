import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventIdReusedError, InvalidTransitionError, VersionConflictError } from '../errors.js';
import { defineMachine } from '../machine/define-machine.js';
import { type OrderEvent, orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';
import type { StateChange } from './types.js';

// advance writes a whole step (one event or several) in one statement when it can: the row's state starts a
// chain of the step's events that fits, no event id of the step is recorded, the statement's snapshot is
// complete. Everything else is decided step by step on the locked row, with the same results.
let t: TestDb;
let pool: pg.Pool;
/** The test schema through a Kysely that counts the statements it sends. */
let counted: Kysely<TestDatabase>;
let statements = 0;
const texts: string[] = [];
let store: StateStore<typeof orderMachine, TestDatabase>;
let hooked: StateStore<typeof orderMachine, TestDatabase>;
const hookSaw: { change: StateChange; rowState: string | null }[] = [];
let seq = 0;

async function newOrder(events: readonly OrderEvent[] = []): Promise<string> {
  seq += 1;
  const id = `one-${seq}`;
  await t.db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id, customer_id: 'c', total_cents: 100 }).execute();
    await store.create(trx, { id, eventId: `create:${id}`, actor: 'api' });
    for (const [index, event] of events.entries()) {
      await store.apply(trx, { id, event, eventId: `setup:${id}:${index}`, actor: 'setup' });
    }
  });
  return id;
}

/** Statements `work` sent through `counted`, its BEGIN and COMMIT included. */
async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = statements;
  const result = await work();
  return { result, statements: statements - before };
}

const fulfil = ['fulfillment.started', 'fulfillment.completed'] as const;

// Every test twice: the step statement sent as it is, and run by the function of functionMigration.
describe.each([false, true])('with functionMigration: %s', (stepFunction) => {
  beforeAll(async () => {
    t = await openTestDb();
    pool = new pg.Pool({ connectionString: useCheckoutStack().postgres.url, max: 25 });
    counted = new Kysely<TestDatabase>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query') {
          statements += 1;
          texts.push(event.query.sql);
        }
      },
    }).withSchema(t.schema);
    await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (id text PRIMARY KEY, customer_id text NOT NULL,
      total_cents integer NOT NULL)`.execute(t.db);
    await migrate(t.db, { schema: t.schema, aggregateTable: 'orders', stepFunction });
    store = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'orders' });
    hooked = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'orders',
      onTransition: async (trx, change) => {
        const row = await trx
          .selectFrom('orders')
          .select(sql<string | null>`state`.as('state'))
          .where('id', '=', change.id);
        hookSaw.push({ change, rowState: (await row.executeTakeFirst())?.state ?? null });
      },
    });
  });
  afterAll(async () => {
    await counted?.destroy();
    await t?.close();
  });

  describe('advance in one statement', () => {
    it('a one-event step: one statement, the entry as stored, equal to history and to a replay', async () => {
      const id = await newOrder();
      // The store reads the id column's type once; warm it so the count below is the step alone.
      await counted.transaction().execute((trx) => store.get(trx, id));
      const { result, statements: n } = await statementsOf(() =>
        counted.transaction().execute((trx) =>
          store.advance(trx, {
            id,
            events: 'payment.authorized',
            eventId: 'pay-1',
            actor: 'w',
            payload: { at: new Date(0) } as never,
          }),
        ),
      );
      expect(n).toBe(3); // BEGIN, the step, COMMIT
      expect(result).toMatchObject({ outcome: 'applied', snapshot: { state: 'PAYMENT_AUTHORIZED', version: 2 } });
      if (result.outcome !== 'applied') return;
      expect(result.entries).toEqual([
        expect.objectContaining({
          version: 2,
          event: 'payment.authorized',
          from: 'PENDING_PAYMENT',
          to: 'PAYMENT_AUTHORIZED',
          eventId: 'pay-1',
          payload: { at: '1970-01-01T00:00:00.000Z' },
        }),
      ]);
      expect((await store.history(t.db, id)).slice(1)).toEqual(result.entries);
      const replay = await t.db
        .transaction()
        .execute((trx) => store.advance(trx, { id, events: 'payment.authorized', eventId: 'pay-1', actor: 'w' }));
      expect(replay).toEqual({ outcome: 'duplicate', snapshot: result.snapshot, entries: result.entries });
    });

    it('a two-event step: one statement, contiguous versions, ids eventId and eventId#2, the last state due time', async () => {
      const id = await newOrder(['payment.authorized', 'inventory.reserved']);
      const { result, statements: n } = await statementsOf(() =>
        counted
          .transaction()
          .execute((trx) => store.advance(trx, { id, events: fulfil, eventId: 'ful-1', actor: 'w', reason: 'ok' })),
      );
      expect(n).toBe(3); // BEGIN, the step, COMMIT
      if (result.outcome !== 'applied') throw new Error(`expected applied, got ${result.outcome}`);
      expect(result.snapshot).toMatchObject({ state: 'COMPLETED', version: 5 });
      expect(result.entries.map((e) => [e.version, e.from, e.to, e.eventId, e.reason])).toEqual([
        [4, 'INVENTORY_RESERVED', 'FULFILLMENT_STARTED', 'ful-1', 'ok'],
        [5, 'FULFILLMENT_STARTED', 'COMPLETED', 'ful-1#2', 'ok'],
      ]);
      expect((await store.history(t.db, id)).map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      expect((await store.history(t.db, id)).slice(3)).toEqual(result.entries);
      const { rows } = await sql<{ due: Date | null }>`SELECT deadline_at AS due FROM ${sql.id(t.schema, 'orders')}
        WHERE id = ${id}`.execute(t.db);
      expect(rows[0]?.due).toBeNull();
    });

    it('entering a state with a deadline by a step records its due time', async () => {
      const id = await newOrder();
      await t.db
        .transaction()
        .execute((trx) => store.advance(trx, { id, events: 'payment.authorized', eventId: 'p', actor: 'w' }));
      const { rows } = await sql<{ due: Date | null }>`SELECT deadline_at AS due FROM ${sql.id(t.schema, 'orders')}
        WHERE id = ${id}`.execute(t.db);
      expect(rows[0]?.due).toBeInstanceOf(Date);
    });

    it('20 concurrent deliveries of a two-event step: applied once, 19 duplicates with the same entries', async () => {
      const id = await newOrder(['payment.authorized', 'inventory.reserved']);
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          counted
            .transaction()
            .execute((trx) => store.advance(trx, { id, events: fulfil, eventId: 'ful-c', actor: 'w' })),
        ),
      );
      const applied = results.filter((r) => r.outcome === 'applied');
      expect(applied).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(19);
      for (const r of results) expect(r.outcome === 'not-allowed' ? undefined : r.entries).toEqual(applied[0]?.entries);
      const history = await store.history(t.db, id);
      expect(history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      expect(history.map((e) => e.eventId).slice(3)).toEqual(['ful-c', 'ful-c#2']);
    });

    it('two different steps racing from one state: one applied, the other not-allowed; versions stay contiguous', async () => {
      const id = await newOrder(['payment.authorized']);
      const [a, b] = await Promise.all([
        counted
          .transaction()
          .execute((trx) => store.advance(trx, { id, events: 'inventory.reserved', eventId: 'r', actor: 'w' })),
        counted
          .transaction()
          .execute((trx) => store.advance(trx, { id, events: 'inventory.short', eventId: 's', actor: 'w' })),
      ]);
      expect([a?.outcome, b?.outcome].sort()).toEqual(['applied', 'not-allowed']);
      expect((await store.history(t.db, id)).map((e) => e.version)).toEqual([1, 2, 3]);
    });

    it('a step whose later event does not fit is InvalidTransitionError, nothing written, the trx usable', async () => {
      const id = await newOrder(['payment.authorized']);
      const usable = await t.db.transaction().execute(async (trx) => {
        await expect(
          store.advance(trx, { id, events: ['inventory.reserved', 'payment.declined'], eventId: 'x', actor: 'w' }),
        ).rejects.toBeInstanceOf(InvalidTransitionError);
        return (await sql<{ one: number }>`SELECT 1 AS one`.execute(trx)).rows[0]?.one;
      });
      expect(usable).toBe(1);
      expect(await store.get(t.db, id)).toMatchObject({ state: 'PAYMENT_AUTHORIZED', version: 2 });
    });

    it('expectedVersion: met, one statement; missed, VersionConflictError and nothing written', async () => {
      const id = await newOrder();
      await expect(
        t.db
          .transaction()
          .execute((trx) =>
            store.advance(trx, { id, events: 'payment.authorized', eventId: 'v', actor: 'w', expectedVersion: 2 }),
          ),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const { result, statements: n } = await statementsOf(() =>
        counted
          .transaction()
          .execute((trx) =>
            store.advance(trx, { id, events: 'payment.authorized', eventId: 'v', actor: 'w', expectedVersion: 1 }),
          ),
      );
      expect(result.outcome).toBe('applied');
      expect(n).toBe(3); // BEGIN, the step, COMMIT
    });

    it('an event id of a later step event taken by another change is EventIdReusedError, nothing written', async () => {
      const other = await newOrder(['payment.authorized', 'inventory.reserved']);
      await t.db
        .transaction()
        .execute((trx) => store.apply(trx, { id: other, event: 'fulfillment.started', eventId: 'k#2', actor: 'w' }));
      await expect(
        t.db
          .transaction()
          .execute((trx) => store.advance(trx, { id: other, events: fulfil, eventId: 'k', actor: 'w' })),
      ).rejects.toBeInstanceOf(EventIdReusedError);
      expect(await store.get(t.db, other)).toMatchObject({ state: 'FULFILLMENT_STARTED', version: 4 });
    });

    it('a guard that throws for the row state propagates; refused by a guard is not-allowed', async () => {
      const gated = defineMachine({
        id: 'gated',
        version: 1,
        initial: 'A',
        states: {
          A: { on: { go: { target: 'B', guard: 'ok' } } },
          B: { on: { go: 'C', done: 'C' } },
          C: { terminal: true },
        },
        guards: {
          ok: ({ payload }) => {
            if (payload === 'boom') throw new Error('guard bug');
            return payload === 'yes';
          },
        },
      });
      await migrate(t.db, {
        schema: t.schema,
        aggregateTable: 'gated',
        auditTable: 'gated_audit',
        createAggregateTable: true,
      });
      const gates = createStateStore({
        machine: gated,
        schema: t.schema,
        aggregateTable: 'gated',
        auditTable: 'gated_audit',
      });
      await t.db.transaction().execute((trx) => gates.create(trx, { id: 'g1', eventId: 'c', actor: 'a' }));
      await expect(
        t.db
          .transaction()
          .execute((trx) => gates.advance(trx, { id: 'g1', events: 'go', eventId: 'e1', actor: 'a', payload: 'boom' })),
      ).rejects.toThrow('guard bug');
      const refused = await t.db
        .transaction()
        .execute((trx) =>
          gates.advance(trx, { id: 'g1', events: ['go', 'done'], eventId: 'e2', actor: 'a', payload: 'no' }),
        );
      expect(refused).toMatchObject({ outcome: 'not-allowed', reason: 'guard-rejected', state: 'A' });
      const applied = await t.db
        .transaction()
        .execute((trx) =>
          gates.advance(trx, { id: 'g1', events: ['go', 'done'], eventId: 'e3', actor: 'a', payload: 'yes' }),
        );
      expect(applied).toMatchObject({ outcome: 'applied', snapshot: { state: 'C', version: 3 } });
    });

    it('with onTransition: a one-event step is one statement plus the hook; a longer one runs each hook after its own change', async () => {
      const id = await newOrder(['payment.authorized']);
      await counted.transaction().execute((trx) => hooked.get(trx, id));
      hookSaw.length = 0;
      const { statements: n } = await statementsOf(() =>
        counted
          .transaction()
          .execute((trx) => hooked.advance(trx, { id, events: 'inventory.reserved', eventId: 'h1', actor: 'w' })),
      );
      expect(n).toBe(4); // BEGIN, the step, the hook's SELECT, COMMIT
      expect(hookSaw.map((h) => [h.change.to, h.change.version, h.rowState])).toEqual([
        ['INVENTORY_RESERVED', 3, 'INVENTORY_RESERVED'],
      ]);
      hookSaw.length = 0;
      await t.db.transaction().execute((trx) => hooked.advance(trx, { id, events: fulfil, eventId: 'h2', actor: 'w' }));
      expect(hookSaw.map((h) => [h.change.to, h.change.version, h.rowState])).toEqual([
        ['FULFILLMENT_STARTED', 4, 'FULFILLMENT_STARTED'],
        ['COMPLETED', 5, 'COMPLETED'],
      ]);
    });
  });

  it('sends the step through the function exactly when the function exists', async () => {
    const id = await newOrder();
    texts.length = 0;
    await counted
      .transaction()
      .execute((trx) => store.advance(trx, { id, events: 'payment.authorized', eventId: 'fn-1', actor: 'w' }));
    expect(texts.some((text) => text.includes('checkout_step_'))).toBe(stepFunction);
  });
});
