import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateInvites } from '../test-support/deadline-tables.js';
import { fakeClock, inviteMachine } from '../test-support/invite-machine.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore } from './state-store.js';

// Two sweepers (own pools, own stores) race over 500 due aggregates: every deadline fires exactly once.
let t: TestDb;
const clock = fakeClock();
const pools: Kysely<unknown>[] = [];

beforeAll(async () => {
  t = await openTestDb();
  await migrateInvites(t.db, t.schema);
  await sql`CREATE TABLE ${sql.id(t.schema, 'fired')} (id text NOT NULL, sweeper text NOT NULL)`.execute(t.db);
});
afterAll(async () => {
  await Promise.all(pools.map((db) => db.destroy()));
  await t?.close();
});

function sweeperStore() {
  return createStateStore({
    machine: inviteMachine,
    schema: t.schema,
    aggregateTable: 'invites',
    auditTable: 'invites_audit',
    now: clock.now,
  });
}

it('two sweepers racing over 500 due aggregates fire each deadline once', async () => {
  const setup = sweeperStore();
  const ids = Array.from({ length: 500 }, (_, i) => `race_${i}`);
  await t.db.transaction().execute(async (trx) => {
    for (const id of ids) await setup.create(trx, { id, eventId: `c:${id}`, actor: 'api' });
  });
  clock.advance(60);

  async function sweeper(name: string) {
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: useCheckoutStack().postgres.url, max: 2 }),
      }),
    });
    pools.push(db);
    const store = sweeperStore();
    let fired = 0;
    for (let batch = 0; batch < 1000; batch += 1) {
      const result = await store.fireDue(db, {
        limit: 25,
        onFired: async (trx, deadline) => {
          await sql`INSERT INTO ${sql.id(t.schema, 'fired')} (id, sweeper) VALUES (${deadline.id}, ${name})`.execute(
            trx,
          );
        },
      });
      fired += result.fired;
      if (result.claimed === 0) break;
    }
    return fired;
  }
  const [a, b] = await Promise.all([sweeper('a'), sweeper('b')]);
  expect((a ?? 0) + (b ?? 0)).toBe(500);

  const { rows } = await sql<{ id: string; n: number }>`SELECT id, count(*)::int AS n FROM ${sql.id(t.schema, 'fired')}
    GROUP BY id HAVING count(*) <> 1`.execute(t.db);
  expect(rows).toEqual([]);
  expect(await t.count('fired')).toBe(500);
  expect(await t.count('invites', `state = 'REMINDED'`)).toBe(500);
  expect(await t.count('invites_audit', `event_id LIKE 'deadline:%'`)).toBe(500);
});
