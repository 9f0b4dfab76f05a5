import type { OrderState } from '@checkout/state-machine';
import type { CheckoutDatabase, OrderLine } from '../db/database.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/** The order row with its state and payment intent, as the workers need it (one read per command). */
export interface LoadedOrder {
  readonly id: string;
  /** The order's state when read; `advance` checks it again under the row lock. */
  readonly state: OrderState | null;
  readonly customerId: string;
  readonly total: number;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  /** W3C `traceparent` of the checkout request, `null` when it was not traced. */
  readonly traceparent: string | null;
  readonly payment: Pick<
    CheckoutDatabase['payment_intents'],
    'provider_request_id' | 'amount' | 'currency' | 'payment_token' | 'status' | 'authorization_id'
  >;
}

/** Reads the order and its payment intent; throws when the order does not exist (a bug: commands follow commits). */
export async function loadOrder(deps: Pick<CheckoutDeps, 'db' | 'schema'>, orderId: string): Promise<LoadedOrder> {
  const row = await deps.db
    .withSchema(deps.schema)
    .selectFrom('orders')
    .innerJoin('payment_intents', 'payment_intents.order_id', 'orders.id')
    .select([
      'orders.id',
      'orders.state',
      'orders.customer_id',
      'orders.total',
      'orders.currency',
      'orders.lines',
      'orders.trace_parent',
      'payment_intents.provider_request_id',
      'payment_intents.amount',
      'payment_intents.payment_token',
      'payment_intents.status',
      'payment_intents.authorization_id',
    ])
    .where('orders.id', '=', orderId)
    .executeTakeFirstOrThrow(() => new Error(`order ${orderId} not found`));
  return {
    id: row.id,
    state: row.state as OrderState | null,
    customerId: row.customer_id,
    total: row.total,
    currency: row.currency,
    lines: row.lines,
    traceparent: row.trace_parent,
    payment: {
      provider_request_id: row.provider_request_id,
      amount: row.amount,
      currency: row.currency,
      payment_token: row.payment_token,
      status: row.status,
      authorization_id: row.authorization_id,
    },
  };
}

/** Units in the order (analytics). */
export function unitsOf(order: LoadedOrder): number {
  return order.lines.reduce((sum, line) => sum + line.quantity, 0);
}
