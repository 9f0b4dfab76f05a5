// Type tests of store.advance: compiled by `pnpm typecheck` (tsc over src/), not run. Every
// `@ts-expect-error` below must stay an error, or the compile fails.

import type { Transaction } from 'kysely';
import { expectTypeOf } from 'vitest';
import { defineMachine } from '../machine/define-machine.js';
import type { EventOf, StateOf } from '../machine/types.js';
import { orderMachine } from '../order/order-machine.js';
import { type AdvanceInput, createStateStore } from './state-store.js';
import type { AdvanceApplied, AdvanceResult, AuditEntry, Snapshot } from './types.js';

interface Database {
  orders: { id: string; total_cents: number };
  outbox: { id: string; order_id: string };
}
interface OtherDatabase {
  invoices: { id: string };
}
declare const trx: Transaction<Database>;
declare const otherTrx: Transaction<OtherDatabase>;

type OrderState = StateOf<typeof orderMachine>;
type OrderEvent = EventOf<typeof orderMachine>;

const orders = createStateStore({
  machine: orderMachine,
  aggregateTable: 'orders',
  onTransition: async (hookTrx: Transaction<Database>) => {
    await hookTrx.insertInto('outbox').values({ id: 'x', order_id: 'o' }).execute();
  },
});
const plain = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
const door = defineMachine({
  id: 'door',
  version: 1,
  initial: 'CLOSED',
  states: { CLOSED: { on: { open: 'OPEN' } }, OPEN: { on: { close: 'CLOSED' } } },
});
const doors = createStateStore({ machine: door, aggregateTable: 'doors' });

export async function advanceUse(): Promise<void> {
  const result = await orders.advance(trx, {
    id: 'o1',
    events: 'payment.authorized',
    eventId: 'm1',
    actor: 'worker',
  });
  expectTypeOf(result).toEqualTypeOf<AdvanceResult<OrderState, OrderEvent>>();

  // Narrowing on `outcome`.
  if (result.outcome === 'applied') {
    expectTypeOf(result.snapshot).toEqualTypeOf<Snapshot<OrderState>>();
    expectTypeOf(result.entries).toEqualTypeOf<readonly AuditEntry[]>();
    // @ts-expect-error `state` exists only on not-allowed
    void result.state;
  } else if (result.outcome === 'duplicate') {
    expectTypeOf(result.entries).toEqualTypeOf<readonly AuditEntry[]>();
  } else {
    expectTypeOf(result.outcome).toEqualTypeOf<'not-allowed'>();
    expectTypeOf(result.state).toEqualTypeOf<OrderState>();
    expectTypeOf(result.event).toEqualTypeOf<OrderEvent>();
    expectTypeOf(result.allowedEvents).toEqualTypeOf<readonly OrderEvent[]>();
    expectTypeOf(result.reason).toEqualTypeOf<'terminal-state' | 'event-not-allowed' | 'guard-rejected'>();
    // @ts-expect-error no entries when nothing was recorded
    void result.entries;
  }

  // A sequence (a non-empty tuple) of the machine's events, and onApplied typed by the store's database.
  await orders.advance(
    trx,
    { id: 'o1', events: ['inventory.reserved', 'fulfillment.started'], eventId: 'm2', actor: 'worker' },
    async (tx, applied) => {
      expectTypeOf(tx).toEqualTypeOf<Transaction<Database>>();
      expectTypeOf(applied).toEqualTypeOf<AdvanceApplied<OrderState, OrderEvent>>();
      expectTypeOf(applied.outcome).toEqualTypeOf<'applied'>();
      await tx.insertInto('outbox').values({ id: 'y', order_id: 'o1' }).execute();
    },
  );
  // A callback annotated with the store's database type.
  const onApplied = async (tx: Transaction<Database>, applied: AdvanceApplied<OrderState>) => {
    await tx.insertInto('outbox').values({ id: applied.snapshot.id, order_id: 'o1' }).execute();
  };
  await orders.advance(trx, { id: 'o1', events: 'payment.declined', eventId: 'm3', actor: 'w' }, onApplied);
  // A store without a hook: the callback gets the trx type the caller passed.
  await plain.advance(otherTrx, { id: 'o1', events: 'payment.declined', eventId: 'm3', actor: 'w' }, (tx) => {
    expectTypeOf(tx).toEqualTypeOf<Transaction<OtherDatabase>>();
  });

  const input: AdvanceInput<OrderEvent> = { id: 'o1', events: ['payment.authorized'], eventId: 'm', actor: 'w' };
  await orders.advance(trx, input);
  expectTypeOf(await doors.advance(otherTrx, { id: 'd1', events: 'open', eventId: 'e', actor: 'a' })).toEqualTypeOf<
    AdvanceResult<'CLOSED' | 'OPEN', 'open' | 'close'>
  >();

  // @ts-expect-error unknown event for the order machine
  await orders.advance(trx, { id: 'o1', events: 'payment.captured', eventId: 'm1', actor: 'w' });
  // @ts-expect-error an unknown event inside a sequence
  await orders.advance(trx, { id: 'o1', events: ['payment.authorized', 'shipped'], eventId: 'm1', actor: 'w' });
  // @ts-expect-error an event of another machine
  await doors.advance(otherTrx, { id: 'd1', events: 'payment.authorized', eventId: 'e', actor: 'a' });
  // @ts-expect-error an empty sequence
  await orders.advance(trx, { id: 'o1', events: [], eventId: 'm1', actor: 'w' });
  // @ts-expect-error the store's hook needs a Transaction<Database>
  await orders.advance(otherTrx, { id: 'o1', events: 'payment.authorized', eventId: 'm1', actor: 'w' });
  // @ts-expect-error `event` is apply's field; advance takes `events`
  await orders.advance(trx, { id: 'o1', event: 'payment.authorized', eventId: 'm1', actor: 'w' });
  await orders.advance(
    trx,
    { id: 'o1', events: 'payment.authorized', eventId: 'm1', actor: 'w' },
    // @ts-expect-error the callback's trx is the caller's database, not another one
    async (tx: Transaction<OtherDatabase>) => {
      await tx.insertInto('invoices').values({ id: 'i' }).execute();
    },
  );
}
