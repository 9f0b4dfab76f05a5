import { NotFoundError } from '@checkout/state-machine';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { errorResponse, type HttpResponse, json } from './http-response.js';

/**
 * `GET /orders/:id`: the order's state and version, its payment state, and the audit timeline
 * (one entry per version, oldest first). 404 for an unknown id.
 */
export async function getOrder(deps: CheckoutDeps, orderId: string): Promise<HttpResponse> {
  try {
    const app = deps.db.withSchema(deps.schema);
    const order = await app
      .selectFrom('orders')
      .innerJoin('payment_intents', 'payment_intents.order_id', 'orders.id')
      .select([
        'orders.id',
        'orders.customer_id',
        'orders.total',
        'orders.currency',
        'orders.lines',
        'payment_intents.status as payment_status',
        'payment_intents.authorization_id',
        'payment_intents.decline_reason',
      ])
      .where('orders.id', '=', orderId)
      .executeTakeFirst();
    if (order === undefined) throw new NotFoundError(orderId);
    const [snapshot, history] = await Promise.all([deps.orders.get(orderId), deps.orders.history(orderId)]);
    return json(200, {
      orderId: order.id,
      customerId: order.customer_id,
      state: snapshot.state,
      version: snapshot.version,
      total: order.total,
      currency: order.currency,
      lines: order.lines,
      payment: {
        status: order.payment_status,
        authorizationId: order.authorization_id,
        declineReason: order.decline_reason,
      },
      timeline: history.map((entry) => ({
        version: entry.version,
        kind: entry.kind,
        event: entry.event,
        from: entry.from,
        to: entry.to,
        actor: entry.actor,
        reason: entry.reason,
        at: entry.at.toISOString(),
      })),
    });
  } catch (error) {
    const response = errorResponse(error);
    if (response === undefined) throw error;
    return response;
  }
}
