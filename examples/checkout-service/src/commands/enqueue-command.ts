import { type CommandDefinition, encode } from '@checkout/workers';
import type { Transaction } from 'kysely';
import type { CheckoutDatabase } from '../db/database.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/**
 * Adds `command` for `orderId` to the outbox inside `trx`: the body is the workers' envelope, the
 * group key the order id (one relay at a time per order, FIFO group on FIFO queues).
 */
export async function enqueueCommand<TType extends string, TPayload, TInput>(
  deps: Pick<CheckoutDeps, 'outbox' | 'destination'>,
  trx: Transaction<CheckoutDatabase>,
  command: CommandDefinition<TType, TPayload, TInput>,
  orderId: string,
  payload: TInput,
): Promise<void> {
  const envelope = await encode(command, payload, { orderId, idempotencyKey: `${orderId}:${command.type}` });
  await deps.outbox.enqueue(trx, {
    destination: deps.destination,
    groupKey: orderId,
    body: envelope,
    attributes: { type: command.type },
  });
}
