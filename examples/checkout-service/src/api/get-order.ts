import { OrderNotFoundError } from '../errors.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { CHECKOUT_BUDGET, withinBudget } from './dependency-budget.js';
import { errorResponse, type HttpResponse, json } from './http-response.js';
import { requireOrderId, requirePrincipal } from './request-fields.js';

/** A `GET /orders/{id}` request as any HTTP framework can hand it over. */
export interface GetOrderRequest {
  /** Who is calling (from the authorizer); `undefined` or empty when not authenticated (401). */
  readonly principal: string | undefined;
  /** The order id from the path, already percent-decoded. */
  readonly orderId: string;
}

/**
 * `GET /orders/{id}`: the caller's order with its state and version, its payment state and the
 * audit timeline (one entry per version, oldest first). Every read is scoped to the principal that
 * placed the order: an order of another principal answers the same 404 as an unknown id (the body
 * does not repeat the id). 401 without a principal, 400 for a malformed id, 503
 * `DEPENDENCY_UNAVAILABLE` with `Retry-After` during a database outage (within the budget).
 */
export async function getOrder(deps: CheckoutDeps, request: GetOrderRequest): Promise<HttpResponse> {
  try {
    const principal = requirePrincipal(request.principal);
    const orderId = requireOrderId(request.orderId);
    // 503 with Retry-After during a database outage, within the budget (see `CHECKOUT_BUDGET`).
    return await withinBudget('postgres', CHECKOUT_BUDGET.postgresMs, readOrder(deps, principal, orderId));
  } catch (error) {
    const response = errorResponse(error);
    if (response === undefined) throw error;
    return response;
  }
}

async function readOrder(deps: CheckoutDeps, principal: string, orderId: string): Promise<HttpResponse> {
  {
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
      .where('orders.principal', '=', principal)
      .executeTakeFirst();
    if (order === undefined) throw new OrderNotFoundError();
    // Only after the ownership check: the state and the audit timeline are the order's too.
    const [snapshot, history] = await Promise.all([
      deps.orders.get(deps.db, order.id),
      deps.orders.history(deps.db, order.id),
    ]);
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
  }
}
