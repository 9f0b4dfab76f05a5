import { randomUUID } from 'node:crypto';
import { replayHeaders } from '@checkout/idempotency';
import { idempotentTransaction } from '@checkout/idempotency/kysely';
import { commandKey } from '@checkout/workers';
import { enqueueCommand } from '@checkout/workers/outbox';
import { authorizePayment } from '../commands/commands.js';
import { type Cart, parseCart } from '../domain/cart.js';
import { priceCart } from '../domain/price-cart.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { boundEcho } from './bounded-echo.js';
import { cartSnapshotId } from './cart-snapshot-id.js';
import { bestEffortWithin, CHECKOUT_BUDGET, withinBudget } from './dependency-budget.js';
import { errorResponse, type HttpResponse, json } from './http-response.js';
import { requireIdempotencyKey, requirePrincipal } from './request-fields.js';

/** A checkout request as any HTTP framework can hand it over. */
export interface CheckoutRequest {
  /** The `Idempotency-Key` header. */
  readonly idempotencyKey: string | undefined;
  /**
   * Who is calling (from the authorizer): keys, orders and cart snapshots are scoped to it.
   * `undefined` or empty when the request was not authenticated: answered 401, nothing runs.
   */
  readonly principal: string | undefined;
  /** The parsed JSON body (untrusted). */
  readonly body: unknown;
}

/** The 201 body; a retry with the same key gets exactly this again. */
export interface CheckoutAccepted {
  readonly orderId: string;
  readonly state: 'PENDING_PAYMENT';
  readonly total: number;
  readonly currency: string;
}

/** How long a key replays its first answer. */
const KEY_TTL_SECONDS = 24 * 3600;
/** How long the cart snapshot is kept (support, abandoned-cart analytics). */
const CART_TTL_SECONDS = 7 * 24 * 3600;

/**
 * `POST /checkout`, commit-first: check the principal, the key and the cart (every string field)
 * and price the cart, then ONE Postgres transaction writes the idempotency record, the order
 * (PENDING_PAYMENT, with its `created` audit row), the payment intent and the outbox
 * `AuthorizePayment`. Nothing slow or remote runs inside it. Only the attempt that created the
 * order then saves the cart snapshot, keyed by principal, customer and key. A retry with the same
 * key replays the stored body (`Idempotent-Replayed: true`); a concurrent one waits for the first
 * and replays it. 401 no principal, 400 bad cart or key, 409 in progress, 422 key reused or unknown
 * SKU / currency: each writes nothing. 503 `DEPENDENCY_UNAVAILABLE` with `Retry-After` when Postgres
 * fails transiently or does not answer within `CHECKOUT_BUDGET.postgresMs`; the cart snapshot waits
 * at most `CHECKOUT_BUDGET.cartSnapshotMs`: every answer comes within `CHECKOUT_BUDGET.clientTimeoutMs`.
 */
export async function checkout(deps: CheckoutDeps, request: CheckoutRequest): Promise<HttpResponse> {
  try {
    const principal = requirePrincipal(request.principal);
    const key = requireIdempotencyKey(request.idempotencyKey);
    const cart = parseCart(request.body);
    const priced = priceCart(cart, deps.catalog);
    const placing = idempotentTransaction(
      deps.db,
      {
        store: deps.idempotency,
        scope: `${principal}:checkout`,
        key,
        fingerprint: request.body,
        ttlSeconds: KEY_TTL_SECONDS,
      },
      async (trx): Promise<CheckoutAccepted> => {
        const orderId = randomUUID();
        const app = trx.withSchema(deps.schema);
        await app
          .insertInto('orders')
          .values({
            id: orderId,
            principal,
            idempotency_key: key,
            customer_id: cart.customerId,
            currency: priced.currency,
            subtotal: priced.subtotal,
            discount: priced.discount,
            tax: priced.tax,
            total: priced.total,
            lines: JSON.stringify(
              priced.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: line.unitPrice })),
            ),
            state: null,
            version: null,
          })
          .execute();
        await app
          .insertInto('payment_intents')
          .values({
            order_id: orderId,
            // The payment worker's provider request id: the AuthorizePayment command's key (one key rule).
            provider_request_id: commandKey(orderId, authorizePayment),
            amount: priced.total,
            currency: priced.currency,
            payment_token: cart.paymentToken,
            status: 'pending',
            authorization_id: null,
            decline_reason: null,
          })
          .execute();
        await deps.orders.create(trx, {
          id: orderId,
          eventId: `checkout:${orderId}`,
          actor: auditActor(principal),
          payload: { idempotencyKey: key, total: priced.total, currency: priced.currency },
        });
        await enqueueCommand(deps.outbox, trx, authorizePayment, {}, { orderId });
        return { orderId, state: 'PENDING_PAYMENT', total: priced.total, currency: priced.currency };
      },
    );
    // Bounded: during a database outage or failover the answer is a 503 with Retry-After within
    // CHECKOUT_BUDGET.postgresMs, never a hang; a COMMIT that landed unheard replays on retry.
    const result = await withinBudget('postgres', CHECKOUT_BUDGET.postgresMs, placing);
    // Only the first execution: a replay carries the same cart, and a 4xx (reused key, bad cart) never got here.
    if (!result.replayed) await saveSnapshot(deps, principal, key, cart, result.value.orderId);
    return json(201, result.value, { Location: `/orders/${result.value.orderId}`, ...replayHeaders(result) });
  } catch (error) {
    const response = errorResponse(error);
    if (response === undefined) throw error;
    return response;
  }
}

/** Longest audit `actor` the state machine accepts, in UTF-16 code units. */
const MAX_ACTOR_UNITS = 200;

/**
 * The audit row's actor, `api:<principal>`, cut to what the state machine stores: a principal may be
 * 200 UTF-8 bytes (up to 200 UTF-16 units), so the prefix alone could push it over and refuse an
 * authenticated checkout. Ownership is the order's `principal` column, never the actor.
 */
function auditActor(principal: string): string {
  return `api:${boundEcho(principal, MAX_ACTOR_UNITS - 'api:'.length - 1)}`;
}

/**
 * The snapshot is for support and abandoned-cart analytics, not for the order (which holds its
 * priced lines): it is saved after the commit, so a failure here cannot undo an accepted order and
 * is logged (order id and error name only, never the cart) instead of answering 500 for it.
 */
async function saveSnapshot(
  deps: CheckoutDeps,
  principal: string,
  key: string,
  cart: Cart,
  orderId: string,
): Promise<void> {
  const id = cartSnapshotId(principal, cart.customerId, key);
  // Bounded too (CHECKOUT_BUDGET.cartSnapshotMs): a DynamoDB outage never delays the 201.
  const outcome = await bestEffortWithin(
    CHECKOUT_BUDGET.cartSnapshotMs,
    deps.carts.saveCartSnapshot(id.customerId, id.attemptId, cart, { ttlSeconds: CART_TTL_SECONDS }),
  );
  if (outcome.done) return;
  const reason = outcome.timedOut
    ? 'timed out'
    : outcome.error instanceof Error
      ? outcome.error.name
      : typeof outcome.error;
  console.error('checkout: cart snapshot not saved', orderId, reason);
}
