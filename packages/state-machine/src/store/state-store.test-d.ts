// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import type { Kysely, Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import { expectTypeOf } from 'vitest';
import { defineMachine } from '../machine/define-machine.js';
import type { EventOf, StateOf } from '../machine/types.js';
import { orderMachine } from '../order/order-machine.js';
import { createStateStore, type StateStore } from './state-store.js';
import type { ApplyResult, AuditEntry, Snapshot, StateChange } from './types.js';

interface Database {
  orders: { id: string; total_cents: number };
  outbox: { id: string; order_id: string };
}
interface OtherDatabase {
  invoices: { id: string };
}
declare const db: Kysely<Database>;
declare const trx: Transaction<Database>;
declare const otherTrx: Transaction<OtherDatabase>;
declare const otherDb: Kysely<OtherDatabase>;

type OrderState = StateOf<typeof orderMachine>;

// Without a hook, the store works with any database type.
const plain = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
expectTypeOf(plain).toEqualTypeOf<StateStore<typeof orderMachine, unknown>>();

// With an annotated hook, DB is inferred from it and `change` is typed from the machine.
const hooked = createStateStore({
  machine: orderMachine,
  aggregateTable: 'orders',
  onTransition: async (hookTrx: Transaction<Database>, change) => {
    expectTypeOf(change).toEqualTypeOf<StateChange<OrderState, EventOf<typeof orderMachine>>>();
    expectTypeOf(change.to).toEqualTypeOf<OrderState>();
    expectTypeOf(change.event).toEqualTypeOf<EventOf<typeof orderMachine> | null>();
    await hookTrx.insertInto('outbox').values({ id: 'x', order_id: change.id }).execute();
  },
});
expectTypeOf(hooked).toEqualTypeOf<StateStore<typeof orderMachine, Database>>();

// The annotation of the field a store is assigned to gives DB too.
const annotated: StateStore<typeof orderMachine, Database> = createStateStore({
  machine: orderMachine,
  aggregateTable: 'orders',
  onTransition: (hookTrx, change) => {
    expectTypeOf(hookTrx).toEqualTypeOf<Transaction<Database>>();
    expectTypeOf(change.to).toEqualTypeOf<OrderState>();
  },
});

// A store of a machine you define: its own state and event names.
const door = defineMachine({
  id: 'door',
  version: 1,
  initial: 'CLOSED',
  states: { CLOSED: { on: { open: 'OPEN' } }, OPEN: { on: { close: 'CLOSED' } } },
});
const doors = createStateStore({ machine: door, aggregateTable: 'doors', schema: 'house' });

expectTypeOf(plain.migration()).toEqualTypeOf<Migration>();
expectTypeOf(plain.migration({ createAggregateTable: true, createAuditTable: false })).toEqualTypeOf<Migration>();
expectTypeOf(plain.migrationSql('up')).toEqualTypeOf<string>();
// A Migrator's provider takes it with no cast.
export const migrations: Record<string, Migration> = { '002_order_state': hooked.migration() };

export async function storeUse(): Promise<void> {
  const result = await hooked.apply(trx, { id: 'o1', event: 'payment.authorized', eventId: 'm1', actor: 'worker' });
  expectTypeOf(result).toEqualTypeOf<ApplyResult<OrderState>>();
  expectTypeOf(result.snapshot.state).toEqualTypeOf<OrderState>();
  await plain.apply(otherTrx, { id: 'o1', event: 'payment.authorized', eventId: 'm1', actor: 'worker' });
  await annotated.create(trx, { id: 'o1', eventId: 'c1', actor: 'api' });
  expectTypeOf(
    await doors.force(otherTrx, { id: 'd1', to: 'OPEN', eventId: 'r1', actor: 'a', reason: 'r' }),
  ).toEqualTypeOf<ApplyResult<'CLOSED' | 'OPEN'>>();

  // Reads take db first: a Kysely or a Transaction of any database type.
  expectTypeOf(await hooked.get(db, 'o1')).toEqualTypeOf<Snapshot<OrderState>>();
  expectTypeOf(await hooked.get(trx, 'o1')).toEqualTypeOf<Snapshot<OrderState>>();
  expectTypeOf(await doors.get(otherDb, 'd1')).toEqualTypeOf<Snapshot<'CLOSED' | 'OPEN'>>();
  expectTypeOf(await hooked.history(db, 'o1')).toEqualTypeOf<AuditEntry[]>();

  // @ts-expect-error reads take db first (the old get(id, executor?) order)
  await hooked.get('o1', db);
  // @ts-expect-error history needs db
  await hooked.history('o1');
  // @ts-expect-error the hook's trx is a Transaction<Database>: another database type cannot be passed
  await hooked.apply(otherTrx, { id: 'o1', event: 'payment.authorized', eventId: 'm1', actor: 'worker' });
  // @ts-expect-error unknown event for the order machine
  await hooked.apply(trx, { id: 'o1', event: 'payment.captured', eventId: 'm1', actor: 'worker' });
  // @ts-expect-error an event of another machine
  await doors.apply(trx, { id: 'd1', event: 'payment.authorized', eventId: 'm1', actor: 'worker' });
  // @ts-expect-error force to an unknown state
  await hooked.force(trx, { id: 'o1', to: 'SHIPPED', eventId: 'r1', actor: 'support:kim', reason: 'x' });
  // @ts-expect-error force needs a reason
  await hooked.force(trx, { id: 'o1', to: 'CANCELLED', eventId: 'r1', actor: 'support:kim' });
  // @ts-expect-error writes need a transaction, not the pool
  await hooked.apply(db, { id: 'o1', event: 'payment.authorized', eventId: 'm1', actor: 'worker' });
  // @ts-expect-error the direction is 'up' or 'down'
  plain.migrationSql('sideways');
}

// @ts-expect-error the store holds no connection: `db` is not an option (reads take it per call)
createStateStore({ db, machine: orderMachine, aggregateTable: 'orders' });
// @ts-expect-error aggregateTable is required
createStateStore({ machine: orderMachine });
