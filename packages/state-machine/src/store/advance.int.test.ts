import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventIdReusedError,
  InvalidTransitionError,
  NotFoundError,
  StateMachineInputError,
  VersionConflictError,
} from '../errors.js';
import { defineMachine } from '../machine/define-machine.js';
import { type OrderEvent, orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';
import type { AdvanceResult } from './types.js';

// store.advance: one event or a short sequence under one row lock, with duplicates and late commands as
// outcomes instead of errors, and a callback that runs in the same transaction only when the step applied.
let t: TestDb;
let store: StateStore<typeof orderMachine, TestDatabase>;
let seq = 0;

beforeAll(async () => {
  t = await openTestDb();
  await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (id text PRIMARY KEY, customer_id text NOT NULL,
    total_cents integer NOT NULL)`.execute(t.db);
  await sql`CREATE TABLE ${sql.id(t.schema, 'outbox')} (id text PRIMARY KEY, order_id text NOT NULL,
    type text NOT NULL)`.execute(t.db);
  await migrate(t.db, { schema: t.schema, aggregateTable: 'orders' });
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

/** A fresh order in PENDING_PAYMENT (version 1), or moved on by `events` (versions 2, 3, ...). */
async function newOrder(events: readonly OrderEvent[] = []): Promise<string> {
  seq += 1;
  const id = `adv-${seq}`;
  await t.db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id, customer_id: 'c', total_cents: 100 }).execute();
    await store.create(trx, { id, eventId: `create:${id}`, actor: 'api' });
    for (const [index, event] of events.entries()) {
      await store.apply(trx, { id, event, eventId: `setup:${id}:${index}`, actor: 'setup' });
    }
  });
  return id;
}

/** Rows the store and the callbacks wrote for `id`: audit rows, outbox rows (hook + callback), version. */
async function written(id: string): Promise<{ audit: number; outbox: number; version: number }> {
  const snapshot = await store.get(t.db, id);
  return {
    audit: await t.count('checkout_audit_events', `aggregate_id = '${id}'`),
    outbox: await t.count('outbox', `order_id = '${id}'`),
    version: snapshot.version,
  };
}

/** A callback that counts its runs and writes one outbox row in the caller's transaction. */
function afterApplied() {
  const runs: AdvanceResult[] = [];
  return {
    runs,
    onApplied: async (trx: Transaction<TestDatabase>, result: Extract<AdvanceResult, { outcome: 'applied' }>) => {
      runs.push(result);
      const id = result.snapshot.id;
      await trx
        .insertInto('outbox')
        .values({ id: `${id}:after:${result.entries[0]?.eventId}`, order_id: id, type: 'after' })
        .execute();
    },
  };
}

describe('store.advance: one event', () => {
  it('applies it, records exactly what apply would, and runs onApplied once in the same transaction', async () => {
    const id = await newOrder();
    const callback = afterApplied();
    const result = await t.db
      .transaction()
      .execute((trx) =>
        store.advance(
          trx,
          { id, events: 'payment.authorized', eventId: 'msg-1', actor: 'payment-worker', payload: { ref: 'pi_1' } },
          callback.onApplied,
        ),
      );
    expect(result.outcome).toBe('applied');
    if (result.outcome !== 'applied') return;
    expect(result.snapshot).toMatchObject({ id, state: 'PAYMENT_AUTHORIZED', version: 2 });
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]).toMatchObject({
      kind: 'transition',
      event: 'payment.authorized',
      from: 'PENDING_PAYMENT',
      to: 'PAYMENT_AUTHORIZED',
      eventId: 'msg-1',
      version: 2,
      actor: 'payment-worker',
      payload: { ref: 'pi_1' },
    });
    expect(callback.runs).toEqual([result]);
    expect((await store.history(t.db, id)).slice(1)).toEqual(result.entries);
    // onTransition's rows (create, advance) and the callback's row committed with the transition.
    expect(await written(id)).toEqual({ audit: 2, outbox: 3, version: 2 });

    // The same event id through apply is the same change: a replay.
    const replay = await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'payment.authorized', eventId: 'msg-1', actor: 'other' }));
    expect(replay.applied).toBe(false);
    expect(replay.entry).toEqual(result.entries[0]);
  });

  it('an event id recorded by apply is a duplicate for advance', async () => {
    const id = await newOrder();
    const applied = await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'payment.authorized', eventId: 'm', actor: 'w' }));
    const callback = afterApplied();
    const result = await t.db
      .transaction()
      .execute((trx) =>
        store.advance(trx, { id, events: ['payment.authorized'], eventId: 'm', actor: 'w' }, callback.onApplied),
      );
    expect(result).toEqual({ outcome: 'duplicate', snapshot: applied.snapshot, entries: [applied.entry] });
    expect(callback.runs).toHaveLength(0);
  });

  it('a duplicate delivery is "duplicate": nothing written, the callback does not run', async () => {
    const id = await newOrder();
    const callback = afterApplied();
    const input = { id, events: 'payment.authorized', eventId: 'sqs-1', actor: 'payment-worker' } as const;
    const first = await t.db.transaction().execute((trx) => store.advance(trx, input, callback.onApplied));
    const before = await written(id);
    const second = await t.db.transaction().execute((trx) => store.advance(trx, input, callback.onApplied));
    expect(second.outcome).toBe('duplicate');
    if (second.outcome !== 'duplicate' || first.outcome !== 'applied') throw new Error('unexpected outcomes');
    expect(second.entries).toEqual(first.entries);
    expect(second.snapshot).toEqual(first.snapshot);
    expect(callback.runs).toHaveLength(1);
    expect(await written(id)).toEqual(before);
  });

  it('a duplicate reports the current state, also when the order moved on since', async () => {
    const id = await newOrder();
    const input = { id, events: 'payment.authorized', eventId: 'e1', actor: 'w' } as const;
    await t.db.transaction().execute((trx) => store.advance(trx, input));
    await t.db
      .transaction()
      .execute((trx) => store.advance(trx, { id, events: 'inventory.reserved', eventId: 'e2', actor: 'w' }));
    // A stale expectedVersion on a replay is still a replay (as for apply).
    const replay = await t.db.transaction().execute((trx) => store.advance(trx, { ...input, expectedVersion: 1 }));
    expect(replay.outcome).toBe('duplicate');
    expect(replay.snapshot).toMatchObject({ state: 'INVENTORY_RESERVED', version: 3 });
  });

  it('a late command is "not-allowed" with the state and why; nothing written and the trx goes on', async () => {
    const id = await newOrder(['payment.authorized']);
    const before = await written(id);
    const callback = afterApplied();
    const result = await t.db.transaction().execute(async (trx) => {
      const outcome = await store.advance(
        trx,
        { id, events: 'payment.declined', eventId: 'late-1', actor: 'payment-worker' },
        callback.onApplied,
      );
      // The caller's transaction is still usable: another write commits.
      await trx
        .insertInto('outbox')
        .values({ id: `${id}:ack`, order_id: id, type: 'ack' })
        .execute();
      return outcome;
    });
    expect(result).toMatchObject({
      outcome: 'not-allowed',
      state: 'PAYMENT_AUTHORIZED',
      event: 'payment.declined',
      reason: 'event-not-allowed',
      snapshot: { id, state: 'PAYMENT_AUTHORIZED', version: 2 },
    });
    if (result.outcome !== 'not-allowed') return;
    expect(result.allowedEvents).toEqual([
      'inventory.reserved',
      'inventory.short',
      'inventory.timed_out',
      'attention.requested',
    ]);
    expect(callback.runs).toHaveLength(0);
    expect(await written(id)).toEqual({ ...before, outbox: before.outbox + 1 });
    expect(await t.count('outbox', `id = '${id}:ack'`)).toBe(1);
    // Refused, not recorded: the event id is still free.
    expect(await t.count('checkout_audit_events', `event_id = 'late-1'`)).toBe(0);
  });

  it('an event in a terminal state is "not-allowed" with reason terminal-state', async () => {
    const id = await newOrder(['payment.declined']);
    const result = await t.db
      .transaction()
      .execute((trx) => store.advance(trx, { id, events: 'payment.authorized', eventId: 'x', actor: 'w' }));
    expect(result).toMatchObject({
      outcome: 'not-allowed',
      state: 'PAYMENT_DECLINED',
      reason: 'terminal-state',
      allowedEvents: [],
    });
  });

  it('a callback that throws rolls back the transition, its audit row and the hook rows', async () => {
    const id = await newOrder();
    const before = await written(id);
    const input = { id, events: 'payment.authorized', eventId: 'cb-fail', actor: 'w' } as const;
    await expect(
      t.db.transaction().execute((trx) =>
        store.advance(trx, input, async (tx) => {
          await tx
            .insertInto('outbox')
            .values({ id: `${id}:cb`, order_id: id, type: 'cb' })
            .execute();
          throw new Error('provider down');
        }),
      ),
    ).rejects.toThrow('provider down');
    expect(await written(id)).toEqual(before);
    // The retry applies: the event id was not recorded.
    const callback = afterApplied();
    const retry = await t.db.transaction().execute((trx) => store.advance(trx, input, callback.onApplied));
    expect(retry.outcome).toBe('applied');
    expect(callback.runs).toHaveLength(1);
  });

  it('VersionConflictError for a stale expectedVersion, nothing written', async () => {
    const id = await newOrder(['payment.authorized']);
    const before = await written(id);
    await expect(
      t.db.transaction().execute((trx) =>
        store.advance(trx, {
          id,
          events: 'inventory.reserved',
          eventId: 'v',
          actor: 'w',
          expectedVersion: 1,
        }),
      ),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await written(id)).toEqual(before);
    const ok = await t.db
      .transaction()
      .execute((trx) =>
        store.advance(trx, { id, events: 'inventory.reserved', eventId: 'v', actor: 'w', expectedVersion: 2 }),
      );
    expect(ok.outcome).toBe('applied');
  });

  it('an event id used for another change is EventIdReusedError', async () => {
    const id = await newOrder();
    await t.db
      .transaction()
      .execute((trx) => store.advance(trx, { id, events: 'payment.authorized', eventId: 'used', actor: 'w' }));
    await expect(
      t.db
        .transaction()
        .execute((trx) => store.advance(trx, { id, events: 'inventory.reserved', eventId: 'used', actor: 'w' })),
    ).rejects.toBeInstanceOf(EventIdReusedError);
    await expect(
      t.db
        .transaction()
        .execute((trx) =>
          store.advance(trx, { id, events: 'payment.authorized', eventId: `create:${id}`, actor: 'w' }),
        ),
    ).rejects.toBeInstanceOf(EventIdReusedError);
  });

  it('a guard refusal is "not-allowed" with reason guard-rejected', async () => {
    const refund = defineMachine({
      id: 'refund',
      version: 1,
      initial: 'REQUESTED',
      states: {
        REQUESTED: { on: { approved: { target: 'APPROVED', guard: 'underLimit' } } },
        APPROVED: { terminal: true },
      },
      guards: { underLimit: ({ payload }) => typeof payload === 'number' && payload <= 5000 },
    });
    await migrate(t.db, {
      schema: t.schema,
      aggregateTable: 'refunds',
      createAggregateTable: true,
      createAuditTable: false,
    });
    const refunds = createStateStore({ machine: refund, schema: t.schema, aggregateTable: 'refunds' });
    await t.db.transaction().execute((trx) => refunds.create(trx, { id: 'r1', eventId: 'c', actor: 'a' }));
    const refused = await t.db
      .transaction()
      .execute((trx) =>
        refunds.advance(trx, { id: 'r1', events: 'approved', eventId: 'a1', actor: 'a', payload: 9000 }),
      );
    expect(refused).toMatchObject({ outcome: 'not-allowed', state: 'REQUESTED', reason: 'guard-rejected' });
    const approved = await t.db
      .transaction()
      .execute((trx) =>
        refunds.advance(trx, { id: 'r1', events: 'approved', eventId: 'a2', actor: 'a', payload: 100 }),
      );
    expect(approved).toMatchObject({ outcome: 'applied', snapshot: { state: 'APPROVED', version: 2 } });
  });
});

describe('store.advance: a sequence of events', () => {
  const step = ['inventory.reserved', 'fulfillment.started', 'fulfillment.completed'] as const;

  it('writes contiguous versions under eventId, eventId#2, ..., onTransition per change, the callback once', async () => {
    const id = await newOrder(['payment.authorized']);
    const callback = afterApplied();
    const result = await t.db.transaction().execute((trx) =>
      store.advance(
        trx,
        {
          id,
          events: step,
          eventId: 'ship-1',
          actor: 'fulfilment',
          reason: 'shipped in one go',
          payload: { box: 7 },
        },
        callback.onApplied,
      ),
    );
    expect(result.outcome).toBe('applied');
    if (result.outcome !== 'applied') return;
    expect(result.snapshot).toMatchObject({ state: 'COMPLETED', version: 5 });
    expect(result.entries.map((entry) => [entry.version, entry.eventId, entry.from, entry.event, entry.to])).toEqual([
      [3, 'ship-1', 'PAYMENT_AUTHORIZED', 'inventory.reserved', 'INVENTORY_RESERVED'],
      [4, 'ship-1#2', 'INVENTORY_RESERVED', 'fulfillment.started', 'FULFILLMENT_STARTED'],
      [5, 'ship-1#3', 'FULFILLMENT_STARTED', 'fulfillment.completed', 'COMPLETED'],
    ]);
    for (const entry of result.entries) {
      expect(entry).toMatchObject({ actor: 'fulfilment', reason: 'shipped in one go', payload: { box: 7 } });
    }
    expect((await store.history(t.db, id)).slice(2)).toEqual(result.entries);
    expect(callback.runs).toEqual([result]);
    // 1 (create) + 1 (setup) + 3 hook rows + 1 callback row.
    expect(await written(id)).toEqual({ audit: 5, outbox: 6, version: 5 });
  });

  it('a replay of a multi-event step is "duplicate" with the recorded entries, nothing written', async () => {
    const id = await newOrder(['payment.authorized']);
    const input = { id, events: step, eventId: 'ship-2', actor: 'w' } as const;
    const first = await t.db.transaction().execute((trx) => store.advance(trx, input));
    const before = await written(id);
    const callback = afterApplied();
    const replay = await t.db.transaction().execute((trx) => store.advance(trx, input, callback.onApplied));
    expect(replay.outcome).toBe('duplicate');
    if (replay.outcome !== 'duplicate' || first.outcome !== 'applied') throw new Error('unexpected outcomes');
    expect(replay.entries).toEqual(first.entries);
    expect(callback.runs).toHaveLength(0);
    expect(await written(id)).toEqual(before);
  });

  it('a redelivery is decided by the first event id; a recorded id holding another change is EventIdReusedError', async () => {
    const id = await newOrder(['payment.authorized']);
    const first = await t.db
      .transaction()
      .execute((trx) =>
        store.advance(trx, { id, events: ['inventory.reserved', 'fulfillment.started'], eventId: 's', actor: 'w' }),
      );
    if (first.outcome !== 'applied') throw new Error('expected applied');
    // The same command redelivered with a shorter or longer step is still that command: nothing written.
    for (const events of [['inventory.reserved'], step] as const) {
      const replay = await t.db
        .transaction()
        .execute((trx) => store.advance(trx, { id, events, eventId: 's', actor: 'w' }));
      expect(replay.outcome).toBe('duplicate');
      if (replay.outcome === 'duplicate') expect(replay.entries).toEqual(first.entries.slice(0, events.length));
    }
    for (const events of [['inventory.short'], ['inventory.reserved', 'attention.requested']] as const) {
      await expect(
        t.db.transaction().execute((trx) => store.advance(trx, { id, events, eventId: 's', actor: 'w' })),
      ).rejects.toBeInstanceOf(EventIdReusedError);
    }
    // A later event's id taken by another change (here by apply) is refused before any write.
    const other = await newOrder(['payment.authorized']);
    await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id: other, event: 'inventory.reserved', eventId: 'k#2', actor: 'w' }));
    const before = await written(other);
    await expect(
      t.db.transaction().execute((trx) =>
        store.advance(trx, {
          id: other,
          events: ['fulfillment.started', 'fulfillment.completed'],
          eventId: 'k',
          actor: 'w',
        }),
      ),
    ).rejects.toBeInstanceOf(EventIdReusedError);
    expect(await written(other)).toEqual(before);
  });

  it('a first event no longer allowed is "not-allowed"; a later event that does not fit throws, writing nothing', async () => {
    const id = await newOrder(['payment.authorized']);
    const late = await t.db
      .transaction()
      .execute((trx) =>
        store.advance(trx, { id, events: ['payment.authorized', 'inventory.reserved'], eventId: 'l', actor: 'w' }),
      );
    expect(late).toMatchObject({ outcome: 'not-allowed', state: 'PAYMENT_AUTHORIZED', event: 'payment.authorized' });

    const before = await written(id);
    const callback = afterApplied();
    const error = await t.db.transaction().execute(async (trx) => {
      const thrown = await store
        .advance(
          trx,
          { id, events: ['inventory.reserved', 'fulfillment.completed'], eventId: 'bad', actor: 'w' },
          callback.onApplied,
        )
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      // Nothing of ours failed in SQL: the transaction goes on and commits.
      await trx
        .insertInto('outbox')
        .values({ id: `${id}:after-bad`, order_id: id, type: 'x' })
        .execute();
      return thrown;
    });
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ from: 'INVENTORY_RESERVED', event: 'fulfillment.completed' });
    expect(callback.runs).toHaveLength(0);
    expect(await written(id)).toEqual({ ...before, outbox: before.outbox + 1 });
  });
});

describe('store.advance: input', () => {
  it('refuses bad input before any SQL, naming the field; the transaction goes on', async () => {
    const id = await newOrder();
    const base = { id, events: 'payment.authorized', eventId: 'in', actor: 'w' };
    const bad: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ ...base, events: [] }, 'events'],
      [{ ...base, events: Array.from({ length: 17 }, () => 'payment.authorized') }, 'events'],
      [{ ...base, events: 'payment.captured' }, 'events'],
      [{ ...base, events: ['payment.authorized', 'inventory.reserved', 7] }, 'events[2]'],
      [{ ...base, events: undefined }, 'events'],
      [{ ...base, eventId: '' }, 'eventId'],
      [{ ...base, eventId: 'msg-\ud800' }, 'eventId'],
      [{ ...base, actor: 'a\u0000' }, 'actor'],
      [{ ...base, expectedVersion: -1 }, 'expectedVersion'],
      [{ ...base, payload: { n: Number.NaN } }, 'payload.n'],
      [{ ...base, id: 42 }, 'id'],
    ];
    await t.db.transaction().execute(async (trx) => {
      for (const [input, field] of bad) {
        const error = await store.advance(trx, input as never).catch((caught: unknown) => caught);
        expect(error, field).toBeInstanceOf(StateMachineInputError);
        expect((error as StateMachineInputError).field).toBe(field);
      }
      const notAFunction = await store.advance(trx, base as never, 'x' as never).catch((caught: unknown) => caught);
      expect((notAFunction as StateMachineInputError).field).toBe('onApplied');
      await expect(store.advance(trx, { ...base, id: 'no-such-order' } as never)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.advance(t.db as never, base as never)).rejects.toMatchObject({ field: 'trx' });
      await trx
        .insertInto('outbox')
        .values({ id: `${id}:still-usable`, order_id: id, type: 'x' })
        .execute();
    });
    expect(await written(id)).toEqual({ audit: 1, outbox: 2, version: 1 });
    // 16 events is the limit, not an error of its own: the step fails on the machine, not on the input.
    const sixteen = Array.from({ length: 16 }, () => 'payment.authorized' as const) as unknown as readonly [
      OrderEvent,
      ...OrderEvent[],
    ];
    const error = await t.db
      .transaction()
      .execute((trx) => store.advance(trx, { ...base, events: sixteen, eventId: 'sixteen' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidTransitionError);
  });
});

describe('store.advance under concurrency', () => {
  it('20 concurrent deliveries of one step: exactly one applied, the others duplicate, the callback ran once', async () => {
    const id = await newOrder(['payment.authorized']);
    const callback = afterApplied();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.db
          .transaction()
          .execute((trx) =>
            store.advance(
              trx,
              { id, events: ['inventory.reserved', 'fulfillment.started'], eventId: 'sqs-dup', actor: 'w' },
              callback.onApplied,
            ),
          ),
      ),
    );
    expect(results.filter((result) => result.outcome === 'applied')).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'duplicate')).toHaveLength(19);
    const applied = results.find((result) => result.outcome === 'applied');
    for (const result of results) {
      expect(result.snapshot).toMatchObject({ state: 'FULFILLMENT_STARTED', version: 4 });
      if (result.outcome !== 'not-allowed' && applied?.outcome === 'applied') {
        expect(result.entries).toEqual(applied.entries);
      }
    }
    expect(callback.runs).toHaveLength(1);
    // create + setup + 2; outbox: create + setup + 2 hook rows + 1 callback row.
    expect(await written(id)).toEqual({ audit: 4, outbox: 5, version: 4 });
  });

  it('two different commands racing: one applied, the other not-allowed, on every order', async () => {
    for (let round = 0; round < 5; round += 1) {
      const id = await newOrder();
      const callback = afterApplied();
      const results = await Promise.all(
        (['payment.authorized', 'payment.declined'] as const).map((event) =>
          t.db
            .transaction()
            .execute((trx) =>
              store.advance(trx, { id, events: event, eventId: `cmd-${event}`, actor: 'w' }, callback.onApplied),
            ),
        ),
      );
      const outcomes = results.map((result) => result.outcome).sort();
      expect(outcomes).toEqual(['applied', 'not-allowed']);
      const refused = results.find((result) => result.outcome === 'not-allowed');
      const winner = results.find((result) => result.outcome === 'applied');
      if (refused?.outcome !== 'not-allowed' || winner?.outcome !== 'applied') throw new Error('unexpected outcomes');
      // The loser was judged against the state the winner left.
      expect(refused.state).toBe(winner.snapshot.state);
      expect(refused.reason).toBe(
        winner.snapshot.state === 'PAYMENT_DECLINED' ? 'terminal-state' : 'event-not-allowed',
      );
      expect(callback.runs).toHaveLength(1);
      expect(await written(id)).toEqual({ audit: 2, outbox: 3, version: 2 });
    }
  });
});
