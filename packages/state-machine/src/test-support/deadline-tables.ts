// Test-only: the invite store's tables (aggregate table created by the store) with the deadline column.
import type { Kysely } from 'kysely';
import { createStateStore } from '../store/state-store.js';
import { inviteMachine } from './invite-machine.js';

export async function migrateInvites<DB>(db: Kysely<DB>, schema: string, aggregateTable = 'invites'): Promise<void> {
  const store = createStateStore({
    machine: inviteMachine,
    schema,
    aggregateTable,
    auditTable: `${aggregateTable}_audit`,
  });
  await store.migration({ createAggregateTable: true }).up(db);
  await store.deadlineMigration().up(db);
}
