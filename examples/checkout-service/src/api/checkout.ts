import { randomUUID } from 'node:crypto';
import { replayHeaders } from '@checkout/idempotency';
import { idempotentTransaction } from '@checkout/idempotency/kysely';
import { authorizePayment } from '../commands/commands.js';
import { enqueueCommand } from '../commands/enqueue-command.js';
import { parseCart } from '../domain/cart.js';
import { priceCart } from '../domain/price-cart.js';
import { InvalidCartError } from '../errors.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { errorResponse, type HttpResponse, json } from './http-response.js';

/** A checkout request as any HTTP framework can hand it over. */
export interface CheckoutRequest {
  /** The `Idempotency-Key` header. */
  readonly idempotencyKey: string | undefined;
  /** Who is calling (from the authorizer): keys are scoped to it. */
  readonly principal: string;
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
 * `POST /checkout`, commit-first: validate and price the cart, save its snapshot, then ONE Postgres
 * transaction writes the idempotency record, the order (PENDING_PAYMENT, with its `created` audit
 * row), the payment intent and the outbox `AuthorizePayment`. Nothing slow or remote runs inside it.
 * A retry with the same key replays the stored body (`Idempotent-Replayed: true`); a concurrent one
 * waits for the first and replays it. 400 bad cart or key, 409 in progress, 422 key reused or
 * unknown SKU / currency.
 */
export async function checkout(deps: CheckoutDeps, request: CheckoutRequest): Promise<HttpResponse> {
  try {
    const key = request.idempotencyKey;
    if (key === undefined || key.length === 0 || key.length > 255) {
      throw new InvalidCartError([{ path: 'Idempotency-Key', message: 'header is required (1-255 characters)' }]);
    }
    const cart = parseCart(request.body);
    const priced = priceCart(cart, deps.catalog);
    // Keyed by (customer, attempt): a retry overwrites the same snapshot with the same cart.
    await deps.carts.saveCartSnapshot(cart.customerId, key, cart, { ttlSeconds: CART_TTL_SECONDS });
    const result = await idempotentTransaction(
      deps.db,
      {
        store: deps.idempotency,
        scope: `${request.principal}:checkout`,
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
            principal: request.principal,
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
            provider_request_id: `authorize:${orderId}`,
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
          actor: `api:${request.principal}`,
          payload: { idempotencyKey: key, total: priced.total, currency: priced.currency },
        });
        await enqueueCommand(deps, trx, authorizePayment, orderId, {});
        return { orderId, state: 'PENDING_PAYMENT', total: priced.total, currency: priced.currency };
      },
    );
    return json(201, result.value, { Location: `/orders/${result.value.orderId}`, ...replayHeaders(result) });
  } catch (error) {
    const response = errorResponse(error);
    if (response === undefined) throw error;
    return response;
  }
}
