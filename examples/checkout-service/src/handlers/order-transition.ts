import { InvalidTransitionError, type OrderEvent } from '@checkout/state-machine';
import type { Transaction } from 'kysely';
import type { CheckoutDatabase } from '../db/database.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/** A JSON value for the audit payload. */
type AuditPayload = Parameters<CheckoutDeps['orders']['apply']>[1]['payload'];

/**
 * Applies `events` to the order in ONE transaction, then runs `after` (the payment-intent update and
 * the next outbox commands) in the same transaction. Event ids are `<order>:<event>` (each event
 * happens at most once per order in `orderMachine`), so a duplicate command, whatever its message
 * id, is recorded once. Returns `false`, writing nothing, when the first event was already applied
 * (duplicate) or is no longer allowed (late command): the caller acknowledges the message.
 */
export async function transitionOrder(
  deps: CheckoutDeps,
  input: {
    readonly orderId: string;
    readonly events: readonly [OrderEvent, ...OrderEvent[]];
    readonly actor: string;
    readonly reason?: string;
    readonly payload?: AuditPayload;
  },
  after: (trx: Transaction<CheckoutDatabase>) => Promise<void>,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    for (const [index, event] of input.events.entries()) {
      let applied: boolean;
      try {
        const result = await deps.orders.apply(trx, {
          id: input.orderId,
          event,
          eventId: `${input.orderId}:${event}`,
          actor: input.actor,
          ...(input.reason === undefined ? {} : { reason: input.reason }),
          ...(input.payload === undefined ? {} : { payload: input.payload }),
        });
        applied = result.applied;
      } catch (error) {
        // Only the first step may find the order moved on; later steps run under its row lock.
        if (index === 0 && error instanceof InvalidTransitionError) return false;
        throw error;
      }
      if (!applied) {
        if (index === 0) return false;
        throw new Error(`order ${input.orderId}: ${event} was already recorded after a fresh ${input.events[0]}`);
      }
    }
    await after(trx);
    return true;
  });
}
