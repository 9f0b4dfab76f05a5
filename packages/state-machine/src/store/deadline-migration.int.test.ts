import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StateMachineInputError } from '../errors.js';
import { defineMachine } from '../machine/define-machine.js';
import { fakeClock, inviteMachine } from '../test-support/invite-machine.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore } from './state-store.js';

// A table migrated by the release before deadlines (rows in it) is upgraded by one more migration.
let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

const clock = fakeClock(Date.now());
// The machine as it was before: the same states, no deadlines.
const before = defineMachine({
  id: 'invite',
  version: 1,
  initial: 'SENT',
  states: {
    SENT: { on: { accepted: 'ACCEPTED', reminded: 'REMINDED', expired: 'EXPIRED' } },
    REMINDED: { on: { accepted: 'ACCEPTED', expired: 'EXPIRED' } },
    ACCEPTED: { on: { reopened: 'SENT' } },
    EXPIRED: { terminal: true },
  },
});

it('upgrades a table migrated before deadlines: column, partial index, backfill of rows in a deadline state', async () => {
  const names = { schema: t.schema, aggregateTable: 'old_invites', auditTable: 'old_audit' };
  const old = createStateStore({ machine: before, ...names });
  const migrations: Record<string, ReturnType<typeof old.migration>> = {
    '001_invites': old.migration({ createAggregateTable: true }),
  };
  const migrator = new Migrator({ db: t.db, provider: { getMigrations: async () => migrations } });
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  // The old store works without the column, and reads/writes nothing of it.
  await t.db.transaction().execute(async (trx) => {
    await old.create(trx, { id: 'waiting', eventId: 'w', actor: 'api' });
    await old.create(trx, { id: 'done', eventId: 'd', actor: 'api' });
    await old.apply(trx, { id: 'done', event: 'accepted', eventId: 'd2', actor: 'user' });
  });
  expect(await old.deadlineStats(t.db)).toEqual({ overdue: 0, oldestOverdueAgeSeconds: null });
  expect((await old.fireDue(t.db)).claimed).toBe(0);

  const store = createStateStore({ machine: inviteMachine, ...names, now: clock.now });
  migrations['002_invite_deadlines'] = store.deadlineMigration();
  expect((await migrator.migrateToLatest()).error).toBeUndefined();

  const { rows: index } = await sql<{ def: string }>`SELECT indexdef AS def FROM pg_indexes
    WHERE schemaname = ${t.schema} AND indexname = 'old_invites_deadline_idx'`.execute(t.db);
  expect(index[0]?.def).toMatch(/\(deadline_at\) WHERE \(deadline_at IS NOT NULL\)/);
  const { rows } = await sql<{ id: string; due: Date | null; updated: Date }>`SELECT id, deadline_at AS due,
    state_updated_at AS updated FROM ${sql.id(t.schema, 'old_invites')} ORDER BY id`.execute(t.db);
  expect(rows.find((row) => row.id === 'done')?.due).toBeNull();
  const waiting = rows.find((row) => row.id === 'waiting');
  expect(waiting?.due?.getTime()).toBe((waiting?.updated.getTime() ?? 0) + 60_000);

  clock.advance(61);
  expect((await store.fireDue(t.db)).fired).toBe(1);
  expect(await store.get(t.db, 'waiting')).toMatchObject({ state: 'REMINDED', version: 2 });

  // down drops exactly the index and the column.
  await migrator.migrateDown();
  const { rows: columns } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.columns
    WHERE table_schema = ${t.schema} AND table_name = 'old_invites' AND column_name = 'deadline_at'`.execute(t.db);
  expect(columns[0]?.n).toBe(0);
  expect(await old.get(t.db, 'waiting')).toMatchObject({ state: 'REMINDED' });
});

it('deadlineMigrationSql returns the same statements as text, with literals only', () => {
  const store = createStateStore({ machine: inviteMachine, schema: 'shop', aggregateTable: 'invites' });
  const up = store.deadlineMigrationSql('up');
  expect(up).toContain('ALTER TABLE "shop"."invites" ADD COLUMN deadline_at timestamptz');
  expect(up).toContain(
    'CREATE INDEX "invites_deadline_idx" ON "shop"."invites" (deadline_at) WHERE deadline_at IS NOT NULL',
  );
  expect(up).toContain(`WHERE state = 'SENT'`);
  expect(up).not.toContain('$1');
  expect(store.deadlineMigrationSql('down')).toBe(
    'DROP INDEX IF EXISTS "shop"."invites_deadline_idx";\n\nALTER TABLE "shop"."invites" DROP COLUMN IF EXISTS deadline_at;\n',
  );
  expect(() => store.deadlineMigrationSql('sideways' as never)).toThrow(StateMachineInputError);
});
