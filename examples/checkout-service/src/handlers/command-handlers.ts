import { IdempotencyInProgressError, once } from '@checkout/idempotency';
import { ReservationStateError } from '@checkout/inventory';
import type { OrderState } from '@checkout/state-machine';
import { type CommandRoute, handleCommand, TransientError } from '@checkout/workers';
import {
  authorizePayment,
  publishAnalytics,
  reserveInventory,
  sendReceipt,
  startFulfillment,
  voidPayment,
} from '../commands/commands.js';
import { enqueueCommand } from '../commands/enqueue-command.js';
import { ProviderUnavailableError } from '../errors.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { type LoadedOrder, loadOrder, unitsOf } from './load-order.js';
import { transitionOrder } from './order-transition.js';

/** How long an unpaid-for-yet reservation holds stock before the sweeper returns it. */
const RESERVATION_HOLD_MS = 15 * 60_000;
/** How long a sent receipt is remembered (a duplicate command later than this would resend). */
const RECEIPT_TTL_SECONDS = 30 * 24 * 3600;

/** An unknown provider outcome: retry soon with the SAME provider request id (it is derived from the order). */
function providerRetry(error: unknown): never {
  if (error instanceof ProviderUnavailableError) {
    throw new TransientError(error.message, { cause: error, retryAfterSeconds: 1 });
  }
  throw error;
}

/** True when the order is in `state`; a duplicate or late command finds it elsewhere and is a no-op. */
async function isIn(deps: CheckoutDeps, orderId: string, state: OrderState): Promise<boolean> {
  return (await deps.orders.get(deps.db, orderId)).state === state;
}

function analyticsOf(order: LoadedOrder, outcome: OrderState) {
  return { customerId: order.customerId, outcome, total: order.total, currency: order.currency, units: unitsOf(order) };
}

/** AuthorizePayment: PENDING_PAYMENT -> PAYMENT_AUTHORIZED (then ReserveInventory) or PAYMENT_DECLINED. */
export async function handleAuthorizePayment(deps: CheckoutDeps, orderId: string): Promise<void> {
  if (!(await isIn(deps, orderId, 'PENDING_PAYMENT'))) return;
  const order = await loadOrder(deps, orderId);
  const result = await deps.payment
    .authorize({
      requestId: order.payment.provider_request_id,
      orderId,
      amount: order.payment.amount,
      currency: order.payment.currency,
      paymentToken: order.payment.payment_token,
    })
    .catch(providerRetry);
  const actor = 'worker:payment';
  if (result.status === 'authorized') {
    await transitionOrder(
      deps,
      { orderId, events: ['payment.authorized'], actor, payload: { authorizationId: result.authorizationId } },
      async (trx) => {
        await trx
          .withSchema(deps.schema)
          .updateTable('payment_intents')
          .set({ status: 'authorized', authorization_id: result.authorizationId, updated_at: new Date() })
          .where('order_id', '=', orderId)
          .execute();
        await enqueueCommand(deps, trx, reserveInventory, orderId, {
          lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
        });
      },
    );
    return;
  }
  await transitionOrder(
    deps,
    { orderId, events: ['payment.declined'], actor, reason: result.reason, payload: { reason: result.reason } },
    async (trx) => {
      await trx
        .withSchema(deps.schema)
        .updateTable('payment_intents')
        .set({ status: 'declined', decline_reason: result.reason, updated_at: new Date() })
        .where('order_id', '=', orderId)
        .execute();
      await enqueueCommand(deps, trx, publishAnalytics, orderId, analyticsOf(order, 'PAYMENT_DECLINED'));
    },
  );
}

/** ReserveInventory: PAYMENT_AUTHORIZED -> INVENTORY_RESERVED (then StartFulfillment) or INVENTORY_SHORT (then VoidPayment). */
export async function handleReserveInventory(
  deps: CheckoutDeps,
  orderId: string,
  lines: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>,
): Promise<void> {
  if (!(await isIn(deps, orderId, 'PAYMENT_AUTHORIZED'))) return;
  // Conditional and idempotent per order: a duplicate command gets the same reservation back.
  const result = await deps.inventory.reserve(orderId, lines, { holdMs: RESERVATION_HOLD_MS });
  const actor = 'worker:inventory';
  if (result.ok) {
    await transitionOrder(deps, { orderId, events: ['inventory.reserved'], actor }, (trx) =>
      enqueueCommand(deps, trx, startFulfillment, orderId, {}),
    );
    return;
  }
  const reason = `out of stock: ${result.shortages.map((s) => `${s.sku} (wanted ${s.requested}, ${s.available} left)`).join(', ')}`;
  await transitionOrder(
    deps,
    {
      orderId,
      events: ['inventory.short'],
      actor,
      reason,
      payload: {
        shortages: result.shortages.map((s) => ({ sku: s.sku, requested: s.requested, available: s.available })),
      },
    },
    (trx) => enqueueCommand(deps, trx, voidPayment, orderId, { reason }),
  );
}

/** VoidPayment (compensation): INVENTORY_SHORT -> PAYMENT_VOIDED -> CANCELLED, then tell the buyer. */
export async function handleVoidPayment(deps: CheckoutDeps, orderId: string, reason: string): Promise<void> {
  if (!(await isIn(deps, orderId, 'INVENTORY_SHORT'))) return;
  const order = await loadOrder(deps, orderId);
  const authorizationId = order.payment.authorization_id;
  if (authorizationId !== null) await deps.payment.void(authorizationId).catch(providerRetry);
  await transitionOrder(
    deps,
    { orderId, events: ['payment.voided', 'order.cancelled'], actor: 'worker:payment', reason },
    async (trx) => {
      await trx
        .withSchema(deps.schema)
        .updateTable('payment_intents')
        .set({ status: 'voided', updated_at: new Date() })
        .where('order_id', '=', orderId)
        .execute();
      await enqueueCommand(deps, trx, sendReceipt, orderId, {
        customerId: order.customerId,
        template: 'order-cancelled',
      });
      await enqueueCommand(deps, trx, publishAnalytics, orderId, analyticsOf(order, 'CANCELLED'));
    },
  );
}

/**
 * StartFulfillment: commits the reservation, INVENTORY_RESERVED -> FULFILLMENT_STARTED -> COMPLETED
 * (the simulated warehouse ships at once), then receipt and analytics. A reservation the sweeper
 * expired meanwhile cannot be committed: the order goes to NEEDS_ATTENTION for a human.
 */
export async function handleStartFulfillment(deps: CheckoutDeps, orderId: string): Promise<void> {
  if (!(await isIn(deps, orderId, 'INVENTORY_RESERVED'))) return;
  const order = await loadOrder(deps, orderId);
  const actor = 'worker:fulfillment';
  try {
    await deps.inventory.commit(orderId); // once: a repeat returns changed: false
  } catch (error) {
    if (!(error instanceof ReservationStateError)) throw error;
    await transitionOrder(
      deps,
      { orderId, events: ['attention.requested'], actor, reason: `reservation is ${error.status}` },
      async () => {},
    );
    return;
  }
  await transitionOrder(
    deps,
    { orderId, events: ['fulfillment.started', 'fulfillment.completed'], actor },
    async (trx) => {
      await enqueueCommand(deps, trx, sendReceipt, orderId, {
        customerId: order.customerId,
        template: 'order-confirmation',
      });
      await enqueueCommand(deps, trx, publishAnalytics, orderId, analyticsOf(order, 'COMPLETED'));
    },
  );
}

/**
 * SendReceipt: at most one email per (order, template). The email provider is not idempotent, so a
 * sender killed between the send and recording it leaves the outcome unknown; taking the key over
 * after a short lease would send a second email (the chaos run caught exactly that). So the lease
 * is as long as the record lives: a duplicate finding the key in progress acknowledges (the owner
 * sends, or releases the key on an ordinary error and its own retry sends), and a crashed send
 * stays "in doubt" (an in-progress record) for support instead of being repeated.
 */
export async function handleSendReceipt(
  deps: CheckoutDeps,
  orderId: string,
  payload: { readonly customerId: string; readonly template: string },
): Promise<void> {
  try {
    await once(
      deps.idempotency,
      `${orderId}:${payload.template}`,
      async () => {
        await deps.email.send({ to: `${payload.customerId}@example.test`, orderId, template: payload.template });
        return { sent: true };
      },
      { scope: 'receipt', ttlSeconds: RECEIPT_TTL_SECONDS, inProgressLeaseMs: RECEIPT_TTL_SECONDS * 1000 },
    );
  } catch (error) {
    if (error instanceof IdempotencyInProgressError) return;
    throw error;
  }
}

/** PublishAnalytics: one projection row per order, from the command alone (never the checkout tables). */
export async function handlePublishAnalytics(
  deps: CheckoutDeps,
  orderId: string,
  payload: {
    readonly customerId: string;
    readonly outcome: string;
    readonly total: number;
    readonly currency: string;
    readonly units: number;
  },
): Promise<void> {
  await deps.db
    .withSchema(deps.schema)
    .insertInto('order_report')
    .values({
      order_id: orderId,
      customer_id: payload.customerId,
      outcome: payload.outcome,
      total: payload.total,
      currency: payload.currency,
      units: payload.units,
    })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .execute();
}

/** The routes of every checkout command, for `createSqsBatchHandler` (Lambda) or `createSqsConsumer` (containers). */
export function checkoutCommandRoutes(deps: CheckoutDeps): CommandRoute[] {
  return [
    handleCommand(authorizePayment, (envelope) => handleAuthorizePayment(deps, envelope.orderId)),
    handleCommand(reserveInventory, (envelope) =>
      handleReserveInventory(deps, envelope.orderId, envelope.payload.lines),
    ),
    handleCommand(voidPayment, (envelope) => handleVoidPayment(deps, envelope.orderId, envelope.payload.reason)),
    handleCommand(startFulfillment, (envelope) => handleStartFulfillment(deps, envelope.orderId)),
    handleCommand(sendReceipt, (envelope) => handleSendReceipt(deps, envelope.orderId, envelope.payload)),
    handleCommand(publishAnalytics, (envelope) => handlePublishAnalytics(deps, envelope.orderId, envelope.payload)),
  ];
}
