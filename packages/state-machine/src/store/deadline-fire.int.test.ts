import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateMachineConfigError, StateMachineInputError } from '../errors.js';
import { migrateInvites } from '../test-support/deadline-tables.js';
import { fakeClock, inviteMachine } from '../test-support/invite-machine.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';

// A fake clock drives every deadline: nothing sleeps.
let t: TestDb;
const clock = fakeClock();
let store: StateStore<typeof inviteMachine, TestDatabase>;
let seq = 0;

beforeAll(async () => {
  t = await openTestDb();
  await migrateInvites(t.db, t.schema);
  await sql`CREATE TABLE ${sql.id(t.schema, 'outbox')} (id text PRIMARY KEY, order_id text NOT NULL,
    type text NOT NULL)`.execute(t.db);
  store = createStateStore({
    machine: inviteMachine,
    schema: t.schema,
    aggregateTable: 'invites',
    auditTable: 'invites_audit',
    now: clock.now,
  });
});
afterAll(async () => {
  await t?.close();
});

async function invite(): Promise<string> {
  seq += 1;
  const id = `inv_${seq}`;
  await t.db.transaction().execute((trx) => store.create(trx, { id, eventId: `create:${id}`, actor: 'api' }));
  return id;
}

async function dueOf(id: string): Promise<Date | null> {
  const { rows } = await sql<{ due: Date | null }>`SELECT deadline_at AS due FROM ${sql.id(t.schema, 'invites')}
    WHERE id = ${id}`.execute(t.db);
  return rows[0]?.due ?? null;
}

/** Fires every deadline of earlier tests, so a test starts with none pending. */
async function drain() {
  clock.advance(1000);
  await fireAll();
  clock.advance(1000);
  await fireAll();
}

/** Fires everything due now (several batches). */
async function fireAll() {
  let fired = 0;
  for (;;) {
    const result = await store.fireDue(t.db, { limit: 1000 });
    fired += result.fired;
    if (result.claimed === 0) return fired;
  }
}

describe('deadlines', () => {
  it('create sets the due time from the clock; nothing fires before it', async () => {
    const id = await invite();
    expect((await dueOf(id))?.getTime()).toBe(clock.now() + 60_000);
    clock.advance(59);
    await fireAll();
    expect((await store.get(t.db, id)).state).toBe('SENT');
  });

  it('fires once when due, under the event id deadline:<id>:<version>, and sets the next state deadline', async () => {
    await drain();
    const id = await invite();
    clock.advance(60);
    const fired: string[] = [];
    const result = await store.fireDue(t.db, {
      onFired: async (trx, deadline) => {
        fired.push(`${deadline.id} ${deadline.from} -${deadline.event}-> ${deadline.to} ${deadline.eventId}`);
        await trx
          .insertInto('outbox')
          .values({ id: deadline.eventId, order_id: deadline.id, type: 'remind' })
          .execute();
      },
    });
    expect(result).toMatchObject({ fired: 1, failed: 0, cleared: 0 });
    expect(fired).toEqual([`${id} SENT -reminded-> REMINDED deadline:${id}:1`]);
    const history = await store.history(t.db, id);
    expect(history[1]).toMatchObject({ event: 'reminded', eventId: `deadline:${id}:1`, actor: 'deadline' });
    expect(await t.count('outbox', `id = 'deadline:${id}:1'`)).toBe(1);
    // REMINDED has its own deadline, counted from the firing.
    expect((await dueOf(id))?.getTime()).toBe(clock.now() + 120_000);
    expect((await store.fireDue(t.db)).fired).toBe(0);
    clock.advance(120);
    await fireAll();
    expect(await store.get(t.db, id)).toMatchObject({ state: 'EXPIRED', version: 3 });
    expect(await dueOf(id)).toBeNull();
    expect((await store.history(t.db, id)).map((entry) => entry.eventId)).toEqual([
      `create:${id}`,
      `deadline:${id}:1`,
      `deadline:${id}:2`,
    ]);
  });

  it('a transition before the deadline cancels it (apply, advance and force)', async () => {
    const viaApply = await invite();
    const viaAdvance = await invite();
    const viaForce = await invite();
    await t.db.transaction().execute(async (trx) => {
      await store.apply(trx, { id: viaApply, event: 'accepted', eventId: 'a1', actor: 'user' });
      await store.advance(trx, { id: viaAdvance, events: 'accepted', eventId: 'a2', actor: 'user' });
      await store.force(trx, { id: viaForce, to: 'ACCEPTED', eventId: 'a3', actor: 'support', reason: 'ticket 7' });
    });
    for (const id of [viaApply, viaAdvance, viaForce]) expect(await dueOf(id)).toBeNull();
    clock.advance(3600);
    await fireAll();
    for (const id of [viaApply, viaAdvance, viaForce]) {
      expect(await store.get(t.db, id)).toMatchObject({ state: 'ACCEPTED', version: 2 });
    }
  });

  it('entering a deadline state again (apply or force) sets a new due time and a new event id', async () => {
    const id = await invite();
    await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'accepted', eventId: `acc:${id}`, actor: 'user' }));
    clock.advance(10);
    await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'reopened', eventId: `reopen:${id}`, actor: 'user' }));
    expect((await dueOf(id))?.getTime()).toBe(clock.now() + 60_000);
    await t.db
      .transaction()
      .execute((trx) =>
        store.force(trx, { id, to: 'REMINDED', eventId: `f:${id}`, actor: 'support', reason: 'resend' }),
      );
    expect((await dueOf(id))?.getTime()).toBe(clock.now() + 120_000);
    clock.advance(120);
    await fireAll();
    expect((await store.history(t.db, id)).at(-1)).toMatchObject({ eventId: `deadline:${id}:4`, to: 'EXPIRED' });
  });

  it('a failing onFired rolls back that aggregate only; it stays due and fires on the next call', async () => {
    await drain();
    const bad = await invite();
    const good = await invite();
    clock.advance(60);
    const errors: unknown[] = [];
    const result = await store.fireDue(t.db, {
      onFired: async (trx, deadline) => {
        await trx
          .insertInto('outbox')
          .values({ id: `x:${deadline.id}`, order_id: deadline.id, type: 't' })
          .execute();
        if (deadline.id === bad) throw new Error('enqueue failed');
      },
      observer: {
        error: (event) => {
          errors.push(event.id);
        },
      },
    });
    expect(result).toMatchObject({ claimed: 2, fired: 1, failed: 1 });
    expect(errors).toEqual([bad]);
    expect(await store.get(t.db, bad)).toMatchObject({ state: 'SENT', version: 1 });
    expect(await t.count('outbox', `id = 'x:${bad}'`)).toBe(0);
    expect(await store.get(t.db, good)).toMatchObject({ state: 'REMINDED' });
    expect(await fireAll()).toBe(1);
    expect((await store.history(t.db, bad)).at(-1)?.eventId).toBe(`deadline:${bad}:1`);
  });

  it('deadlineStats counts overdue deadlines and the oldest age in whole seconds', async () => {
    await drain();
    expect(await store.deadlineStats(t.db)).toEqual({ overdue: 0, oldestOverdueAgeSeconds: null });
    await invite();
    clock.advance(30);
    await invite();
    clock.advance(45.5);
    expect(await store.deadlineStats(t.db)).toEqual({ overdue: 1, oldestOverdueAgeSeconds: 15 });
    clock.advance(30);
    expect(await store.deadlineStats(t.db)).toEqual({ overdue: 2, oldestOverdueAgeSeconds: 45 });
    await fireAll();
    expect(await store.deadlineStats(t.db)).toEqual({ overdue: 0, oldestOverdueAgeSeconds: null });
  });

  it('runDeadlines fires in batches until nothing is due, and stops at forMs or on abort', async () => {
    await drain();
    for (let i = 0; i < 25; i += 1) await invite();
    clock.advance(60);
    const stop = new AbortController();
    const fired: string[] = [];
    const run = store.runDeadlines(t.db, {
      forMs: 30_000,
      limit: 10,
      idleMs: 50,
      signal: stop.signal,
      observer: {
        fired: (event) => {
          fired.push(event.id);
          if (fired.length === 25) stop.abort();
        },
      },
    });
    const result = await run;
    expect(result.fired).toBe(25);
    expect(result.batches).toBeGreaterThanOrEqual(3);
    const bounded = await store.runDeadlines(t.db, { forMs: 100, idleMs: 20 });
    expect(bounded.fired).toBe(0);
  });

  it('runDeadlines with untilIdle returns once caught up, long before forMs', async () => {
    await drain();
    for (let i = 0; i < 25; i += 1) await invite();
    clock.advance(60);
    const began = performance.now();
    // idleMs at its maximum: a loop that paused instead of returning would take a minute.
    const result = await store.runDeadlines(t.db, { forMs: 600_000, limit: 10, idleMs: 60_000, untilIdle: true });
    expect(result).toMatchObject({ fired: 25, failed: 0, batches: 3 });
    expect(performance.now() - began).toBeLessThan(30_000);
    const idle = await store.runDeadlines(t.db, { forMs: 600_000, idleMs: 60_000, untilIdle: true });
    expect(idle).toEqual({ fired: 0, failed: 0, batches: 1 });
  });

  it('refuses bad options before any SQL, naming the option', async () => {
    const bad: [unknown, string][] = [
      [{ limit: 0 }, 'limit'],
      [{ limit: 1001 }, 'limit'],
      [{ limit: 2.5 }, 'limit'],
      [{ onFired: 'x' }, 'onFired'],
      [{ observer: 3 }, 'observer'],
      ['x', 'options'],
    ];
    for (const [options, field] of bad) {
      await expect(store.fireDue(t.db, options as never)).rejects.toMatchObject({
        code: 'STATE_MACHINE_INVALID_INPUT',
        field,
      });
    }
    await expect(store.runDeadlines(t.db, { forMs: 0 })).rejects.toMatchObject({ field: 'forMs' });
    await expect(store.runDeadlines(t.db, { forMs: 10, idleMs: -1 })).rejects.toMatchObject({ field: 'idleMs' });
    await expect(store.runDeadlines(t.db, { forMs: 10, signal: {} as AbortSignal })).rejects.toMatchObject({
      field: 'signal',
    });
    await expect(store.runDeadlines(t.db, { forMs: 10, untilIdle: 'yes' as never })).rejects.toMatchObject({
      field: 'untilIdle',
    });
    await expect(store.runDeadlines(t.db, undefined as never)).rejects.toThrow(StateMachineInputError);
    await t.db.transaction().execute(async (trx) => {
      await expect(store.fireDue(trx as never)).rejects.toMatchObject({ field: 'db' });
      // The caller's transaction is still usable.
      await sql`SELECT 1`.execute(trx);
    });
  });

  it('a machine with deadlines needs the deadline migration (config error naming aggregateTable)', async () => {
    const plain = createStateStore({
      machine: inviteMachine,
      schema: t.schema,
      aggregateTable: 'plain_invites',
      auditTable: 'plain_audit',
    });
    await plain.migration({ createAggregateTable: true }).up(t.db);
    await expect(plain.deadlineStats(t.db)).rejects.toThrow(StateMachineConfigError);
    await expect(
      t.db.transaction().execute((trx) => plain.create(trx, { id: 'p1', eventId: 'p1', actor: 'a' })),
    ).rejects.toMatchObject({ field: 'aggregateTable' });
    await plain.deadlineMigration().up(t.db);
    const again = createStateStore({
      machine: inviteMachine,
      schema: t.schema,
      aggregateTable: 'plain_invites',
      auditTable: 'plain_audit',
    });
    await t.db.transaction().execute((trx) => again.create(trx, { id: 'p1', eventId: 'p1', actor: 'a' }));
    expect(await again.get(t.db, 'p1')).toMatchObject({ state: 'SENT' });
  });

  it('a clock returning garbage is a config error, nothing written', async () => {
    const broken = createStateStore({
      machine: inviteMachine,
      schema: t.schema,
      aggregateTable: 'invites',
      auditTable: 'invites_audit',
      now: () => Number.NaN,
    });
    await expect(
      t.db.transaction().execute((trx) => broken.create(trx, { id: 'nan', eventId: 'nan', actor: 'a' })),
    ).rejects.toMatchObject({ code: 'STATE_MACHINE_INVALID_CONFIG', field: 'now' });
    expect(await t.count('invites', `id = 'nan'`)).toBe(0);
    expect(() => createStateStore({ machine: inviteMachine, aggregateTable: 'invites', now: 5 as never })).toThrow(
      expect.objectContaining({ field: 'now' }),
    );
  });
});
