// Test-only: runs the migration of a store on `tables` (the orderMachine's; the machine does not change the DDL).
import type { Kysely } from 'kysely';
import { orderMachine } from '../order/order-machine.js';
import type { StateStoreMigrationOptions } from '../store/migration.js';
import { createStateStore } from '../store/state-store.js';
import type { StateStoreTables } from '../store/tables.js';

export async function migrate<DB>(
  db: Kysely<DB>,
  options: StateStoreTables & StateStoreMigrationOptions & { readonly stepFunction?: boolean },
): Promise<void> {
  const { createAggregateTable = false, createAuditTable = true, stepFunction = false, ...tables } = options;
  const store = createStateStore({ machine: orderMachine, ...tables });
  await store.migration({ createAggregateTable, createAuditTable }).up(db);
  // orderMachine declares deadlines: its store needs the deadline column too.
  await store.deadlineMigration().up(db);
  // The function for orderMachine's stores (machines with deadlines); others make their own.
  if (stepFunction) await store.functionMigration().up(db);
}
