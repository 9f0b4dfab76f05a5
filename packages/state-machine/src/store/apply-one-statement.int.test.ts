import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineMachine } from '../machine/define-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore } from './state-store.js';

// apply writes in one statement when it can (next states precomputed for every state the event may leave)
// and decides step by step otherwise: these are the cases the one statement must hand over.
let t: TestDb;
const ticket = defineMachine({
  id: 'ticket',
  version: 1,
  initial: 'OPEN',
  states: {
    OPEN: { on: { escalated: 'ESCALATED', closed: { target: 'CLOSED', guard: 'fromOpen' } } },
    ESCALATED: { on: { closed: { target: 'CLOSED', guard: 'fromEscalated' } } },
    CLOSED: { terminal: true },
  },
  guards: {
    // Throws for OPEN (a guard with a bug), decides normally for ESCALATED.
    fromOpen: () => {
      throw new Error('guard bug');
    },
    fromEscalated: ({ payload }) => payload === 'resolved',
  },
});
let tickets: ReturnType<typeof createStateStore<typeof ticket>>;

beforeAll(async () => {
  t = await openTestDb();
  await migrate(t.db, { schema: t.schema, aggregateTable: 'tickets', createAggregateTable: true });
  tickets = createStateStore({ machine: ticket, schema: t.schema, aggregateTable: 'tickets' });
});
afterAll(async () => {
  await t?.close();
});

async function newTicket(id: string, escalate = false): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await tickets.create(trx, { id, eventId: `c:${id}`, actor: 'a' });
    if (escalate) await tickets.apply(trx, { id, event: 'escalated', eventId: `e:${id}`, actor: 'a' });
  });
}

describe('apply: what the one statement hands over', () => {
  it('a guard that throws for another state does not affect this one; for this state its error propagates', async () => {
    await newTicket('t1', true);
    const closed = await t.db
      .transaction()
      .execute((trx) =>
        tickets.apply(trx, { id: 't1', event: 'closed', eventId: 'x1', actor: 'a', payload: 'resolved' }),
      );
    expect(closed).toMatchObject({ applied: true, snapshot: { state: 'CLOSED', version: 3 } });

    await newTicket('t2');
    await expect(
      t.db.transaction().execute((trx) => tickets.apply(trx, { id: 't2', event: 'closed', eventId: 'x2', actor: 'a' })),
    ).rejects.toThrow('guard bug');
    const refused = await t.db
      .transaction()
      .execute((trx) => tickets.advance(trx, { id: 't1', events: 'closed', eventId: 'x3', actor: 'a' }));
    expect(refused).toMatchObject({ outcome: 'not-allowed', reason: 'terminal-state' });
  });

  it('a row whose version moved outside the store (no audit row for it) is decided step by step, still once per event id', async () => {
    await newTicket('t3');
    await sql`UPDATE ${sql.id(t.schema, 'tickets')} SET version = version + 1 WHERE id = 't3'`.execute(t.db);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.db
          .transaction()
          .execute((trx) => tickets.apply(trx, { id: 't3', event: 'escalated', eventId: 'esc-1', actor: 'a' })),
      ),
    );
    expect(results.filter((result) => result.applied)).toHaveLength(1);
    for (const result of results) expect(result.snapshot).toMatchObject({ state: 'ESCALATED', version: 3 });
    expect((await tickets.history(t.db, 't3')).map((entry) => [entry.version, entry.eventId])).toEqual([
      [1, 'c:t3'],
      [3, 'esc-1'],
    ]);
  });

  it('expectedVersion, replays and refusals write nothing and leave the transaction usable', async () => {
    await newTicket('t4');
    await t.db.transaction().execute(async (trx) => {
      await expect(
        tickets.apply(trx, { id: 't4', event: 'escalated', eventId: 'v', actor: 'a', expectedVersion: 7 }),
      ).rejects.toMatchObject({ code: 'STATE_MACHINE_VERSION_CONFLICT' });
      const first = await tickets.apply(trx, {
        id: 't4',
        event: 'escalated',
        eventId: 'v',
        actor: 'a',
        expectedVersion: 1,
      });
      const replay = await tickets.apply(trx, {
        id: 't4',
        event: 'escalated',
        eventId: 'v',
        actor: 'a',
        expectedVersion: 1,
      });
      expect(replay).toEqual({ ...first, applied: false });
      await expect(
        tickets.apply(trx, { id: 't4', event: 'escalated', eventId: 'w', actor: 'a' }),
      ).rejects.toMatchObject({
        code: 'STATE_MACHINE_INVALID_TRANSITION',
      });
      await expect(
        tickets.apply(trx, { id: 'missing', event: 'escalated', eventId: 'w', actor: 'a' }),
      ).rejects.toMatchObject({
        code: 'STATE_MACHINE_NOT_FOUND',
      });
      await tickets.create(trx, { id: 't5', eventId: 'c5', actor: 'a' });
    });
    expect((await tickets.get(t.db, 't4')).version).toBe(2);
    expect((await tickets.get(t.db, 't5')).version).toBe(1);
  });
});
