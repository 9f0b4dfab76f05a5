import { IdempotencyInProgressError, once } from '@checkout/idempotency';
import { ReservationNotFoundError, ReservationStateError } from '@checkout/inventory';
import type { OrderState } from '@checkout/state-machine';
import { type CommandRoute, handleCommand, TransientError } from '@checkout/workers';
import { enqueueCommand, enqueueCommands } from '@checkout/workers/outbox';
import type { Kysely, Transaction, Updateable } from 'kysely';
import {
  authorizePayment,
  publishAnalytics,
  reserveInventory,
  sendReceipt,
  startFulfillment,
  voidPayment,
} from '../commands/commands.js';
import type { CheckoutDatabase } from '../db/database.js';
import { ProviderThrottledError, ProviderUnavailableError } from '../errors.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import type { QueueName } from '../topology.js';
import { type LoadedOrder, loadOrder, unitsOf } from './load-order.js';
import { retryLostResponse } from './retry-lost-response.js';

// Every handler reads as the seed describes it: check the order's state (a duplicate or late command
// finds it elsewhere and is acknowledged), do the side effect with the command's key, then ONE
// transaction: the transition (`advance`: a duplicate, or a command the state no longer allows,
// writes nothing) and, only when it applied, the payment intent and the next commands. The command's
// key (`envelope.idempotencyKey`, derived by `commandKey`) is every key a handler needs: the state
// store's event id, the provider's request id, the key of `once`.

/**
 * How long an unpaid-for-yet reservation holds stock before the sweeper returns it. It is the timer of
 * INVENTORY_RESERVED (which has no deadline of its own): a hold that expired before fulfillment commits
 * it sends the order to NEEDS_ATTENTION. It is taken in PAYMENT_AUTHORIZED, whose deadline (10 minutes by
 * default) voids the payment and releases a reservation made after it.
 */
const RESERVATION_HOLD_MS = 15 * 60_000;

/** States after a stock timeout or a cancellation: a reservation made now (a late command) is released. */
const RELEASE_LATE_RESERVATION: ReadonlySet<OrderState | null> = new Set([
  'INVENTORY_TIMED_OUT',
  'PAYMENT_VOIDED',
  'CANCELLED',
]);

/** Returns a reservation's stock (idempotent: none, or already released or expired, is fine). */
async function releaseReservation(deps: CheckoutDeps, orderId: string): Promise<void> {
  try {
    await deps.inventory.release(orderId);
  } catch (error) {
    if (error instanceof ReservationNotFoundError) return;
    if (error instanceof ReservationStateError && error.status !== 'COMMITTED') return;
    throw error;
  }
}
/** How long a sent receipt is remembered (a duplicate command later than this would resend). */
const RECEIPT_TTL_SECONDS = 30 * 24 * 3600;

/**
 * The provider did not answer (outcome unknown, also after `retryLostResponse`'s one inline retry) or
 * refused for its rate limit: retry later with the SAME provider request id (the command's key), so a
 * retry never charges twice.
 */
function providerRetry(error: unknown): never {
  if (error instanceof ProviderUnavailableError || error instanceof ProviderThrottledError) {
    throw new TransientError(error.message, { cause: error, retryAfterSeconds: error.retryAfterSeconds ?? 1 });
  }
  throw error;
}

/** The analytics payload of an order's outcome. */
export function analyticsOf(order: LoadedOrder, outcome: OrderState) {
  return { customerId: order.customerId, outcome, total: order.total, currency: order.currency, units: unitsOf(order) };
}

async function updatePaymentIntent(
  deps: CheckoutDeps,
  trx: Kysely<CheckoutDatabase> | Transaction<CheckoutDatabase>,
  orderId: string,
  values: Updateable<CheckoutDatabase['payment_intents']>,
): Promise<void> {
  await trx
    .withSchema(deps.schema)
    .updateTable('payment_intents')
    .set({ ...values, updated_at: new Date() })
    .where('order_id', '=', orderId)
    .execute();
}

/** Payment worker: AuthorizePayment and VoidPayment (the provider's rate limit is this stage's). */
function paymentRoutes(deps: CheckoutDeps): CommandRoute[] {
  const actor = 'worker:payment';
  return [
    // PENDING_PAYMENT -> PAYMENT_AUTHORIZED (then ReserveInventory) or PAYMENT_DECLINED (then analytics).
    handleCommand(authorizePayment, async ({ orderId, idempotencyKey }, { signal }) => {
      const order = await loadOrder(deps, orderId);
      if (order.state !== 'PENDING_PAYMENT') return;
      const { amount, currency, payment_token: paymentToken } = order.payment;
      const request = { requestId: idempotencyKey, orderId, amount, currency, paymentToken };
      const result = await retryLostResponse(() => deps.payment.authorize(request), signal).catch(providerRetry);
      await deps.db.transaction().execute(async (trx) => {
        if (result.status === 'authorized') {
          const { authorizationId } = result;
          const step = { id: orderId, events: 'payment.authorized', eventId: idempotencyKey, actor } as const;
          const outcome = await deps.orders.advance(trx, { ...step, payload: { authorizationId } }, async (trx) => {
            await updatePaymentIntent(deps, trx, orderId, { status: 'authorized', authorization_id: authorizationId });
            const lines = order.lines.map(({ sku, quantity }) => ({ sku, quantity }));
            await enqueueCommand(deps.outbox, trx, reserveInventory, { lines }, { orderId });
          });
          if (outcome.outcome === 'not-allowed') {
            // The payment deadline cancelled the order while the provider was answering: this late
            // authorization is voided (compensation), never left charged.
            const reason = `authorized after the order became ${outcome.state}`;
            const late = { reason, authorizationId };
            await enqueueCommand(deps.outbox, trx, voidPayment, late, { orderId, key: 'late-authorization' });
          }
          return;
        }
        const { reason } = result;
        const step = { id: orderId, events: 'payment.declined', eventId: idempotencyKey, actor, reason } as const;
        await deps.orders.advance(trx, { ...step, payload: { reason } }, async (trx) => {
          await updatePaymentIntent(deps, trx, orderId, { status: 'declined', decline_reason: reason });
          await enqueueCommand(deps.outbox, trx, publishAnalytics, analyticsOf(order, 'PAYMENT_DECLINED'), { orderId });
        });
      });
    }),
    // Compensation: INVENTORY_SHORT or INVENTORY_TIMED_OUT -> PAYMENT_VOIDED -> CANCELLED, then tell the
    // buyer; a payment that timed out (CANCELLED, intent still pending) has its request cancelled at the
    // provider; an authorization that arrived after the order was cancelled is voided.
    handleCommand(voidPayment, async ({ orderId, idempotencyKey, payload }, { signal }) => {
      const { reason, authorizationId: late } = payload;
      const order = await loadOrder(deps, orderId);
      if (late !== undefined) {
        await retryLostResponse(() => deps.payment.void(late), signal).catch(providerRetry);
        if (order.state !== 'COMPLETED') {
          await updatePaymentIntent(deps, deps.db, orderId, { status: 'voided', authorization_id: late });
        }
        return;
      }
      if (order.state === 'CANCELLED' && order.payment.status === 'pending') {
        // The payment timed out with its outcome unknown: whatever the provider did under this request
        // id is voided, and an authorization it has not made yet will be declined.
        const requestId = order.payment.provider_request_id;
        await retryLostResponse(() => deps.payment.cancel(requestId), signal).catch(providerRetry);
        await updatePaymentIntent(deps, deps.db, orderId, { status: 'voided' });
        return;
      }
      if (order.state !== 'INVENTORY_SHORT' && order.state !== 'INVENTORY_TIMED_OUT') return;
      // A reservation made by a ReserveInventory that raced the stock deadline goes back to stock.
      if (order.state === 'INVENTORY_TIMED_OUT') await releaseReservation(deps, orderId);
      const authorizationId = order.payment.authorization_id;
      if (authorizationId !== null) {
        await retryLostResponse(() => deps.payment.void(authorizationId), signal).catch(providerRetry);
      }
      const events = ['payment.voided', 'order.cancelled'] as const;
      await deps.db.transaction().execute((trx) =>
        deps.orders.advance(trx, { id: orderId, events, eventId: idempotencyKey, actor, reason }, async (trx) => {
          await updatePaymentIntent(deps, trx, orderId, { status: 'voided' });
          const receipt = { customerId: order.customerId, template: 'order-cancelled' } as const;
          await enqueueCommands(deps.outbox, trx, [
            { command: sendReceipt, payload: receipt, meta: { orderId, key: receipt.template } },
            { command: publishAnalytics, payload: analyticsOf(order, 'CANCELLED'), meta: { orderId } },
          ]);
        }),
      );
    }),
  ];
}

/** Inventory worker: ReserveInventory (DynamoDB conditional writes, idempotent per order). */
function inventoryRoutes(deps: CheckoutDeps): CommandRoute[] {
  const actor = 'worker:inventory';
  return [
    // PAYMENT_AUTHORIZED -> INVENTORY_RESERVED (then StartFulfillment) or INVENTORY_SHORT (then VoidPayment).
    handleCommand(reserveInventory, async ({ orderId, idempotencyKey, payload: { lines } }) => {
      const order = await loadOrder(deps, orderId);
      if (order.state !== 'PAYMENT_AUTHORIZED') {
        // A command that lost the race with the stock deadline (its reservation may have landed on a
        // try that then failed): nothing may stay reserved for a cancelled order.
        if (RELEASE_LATE_RESERVATION.has(order.state)) await releaseReservation(deps, orderId);
        return;
      }
      // Idempotent per order: a duplicate command gets the same reservation back.
      const result = await deps.inventory.reserve(orderId, lines, { holdMs: RESERVATION_HOLD_MS });
      const late = await deps.db.transaction().execute(async (trx) => {
        if (result.ok) {
          const step = { id: orderId, events: 'inventory.reserved', eventId: idempotencyKey, actor } as const;
          const outcome = await deps.orders.advance(trx, step, async (trx) => {
            await enqueueCommand(deps.outbox, trx, startFulfillment, {}, { orderId });
          });
          return outcome.outcome === 'not-allowed' && RELEASE_LATE_RESERVATION.has(outcome.state);
        }
        const shortages = result.shortages.map(({ sku, requested, available }) => ({ sku, requested, available }));
        const reason = `out of stock: ${shortages.map((s) => `${s.sku} (wanted ${s.requested}, ${s.available} left)`).join(', ')}`;
        const step = { id: orderId, events: 'inventory.short', eventId: idempotencyKey, actor, reason } as const;
        await deps.orders.advance(trx, { ...step, payload: { shortages } }, async (trx) => {
          await enqueueCommand(deps.outbox, trx, voidPayment, { reason }, { orderId });
        });
        return false;
      });
      // The stock deadline fired while this reservation was being made: give the stock back.
      if (late) await releaseReservation(deps, orderId);
    }),
  ];
}

/** Fulfillment worker: StartFulfillment. */
function fulfillmentRoutes(deps: CheckoutDeps): CommandRoute[] {
  const actor = 'worker:fulfillment';
  return [
    // Commits the reservation, INVENTORY_RESERVED -> FULFILLMENT_STARTED -> COMPLETED (the simulated
    // warehouse ships at once), then receipt and analytics. A reservation the sweeper expired meanwhile
    // cannot be committed: the order goes to NEEDS_ATTENTION for a human.
    handleCommand(startFulfillment, async ({ orderId, idempotencyKey }) => {
      const order = await loadOrder(deps, orderId);
      if (order.state !== 'INVENTORY_RESERVED') return;
      let problem: string | undefined;
      try {
        // Once: a repeat returns changed: false. With the order's lines (those ReserveInventory reserved)
        // it is one DynamoDB call, no read first.
        const lines = order.lines.map(({ sku, quantity }) => ({ sku, quantity }));
        await deps.inventory.commit(orderId, { lines });
      } catch (error) {
        if (!(error instanceof ReservationStateError)) throw error;
        problem = `reservation is ${error.status}`;
      }
      await deps.db.transaction().execute(async (trx) => {
        if (problem !== undefined) {
          const events = 'attention.requested';
          await deps.orders.advance(trx, { id: orderId, events, eventId: idempotencyKey, actor, reason: problem });
          return;
        }
        const events = ['fulfillment.started', 'fulfillment.completed'] as const;
        await deps.orders.advance(trx, { id: orderId, events, eventId: idempotencyKey, actor }, async (trx) => {
          const receipt = { customerId: order.customerId, template: 'order-confirmation' } as const;
          // Both commands in one INSERT (one round trip).
          await enqueueCommands(deps.outbox, trx, [
            { command: sendReceipt, payload: receipt, meta: { orderId, key: receipt.template } },
            { command: publishAnalytics, payload: analyticsOf(order, 'COMPLETED'), meta: { orderId } },
          ]);
        });
      });
    }),
  ];
}

/** Notification worker: SendReceipt. */
function notificationRoutes(deps: CheckoutDeps): CommandRoute[] {
  return [
    // At most one email per (order, template): the command's key is `once`'s key. The email provider
    // is not idempotent, so a sender killed between the send and recording it leaves the outcome
    // unknown; taking the key over after a short lease would send a second email (the chaos run caught
    // exactly that). So the lease is as long as the record lives: a duplicate finding the key in
    // progress acknowledges (the owner sends, or releases the key on an ordinary error and its own
    // retry sends), and a crashed send stays "in doubt" (an in-progress record) for support.
    handleCommand(sendReceipt, async ({ orderId, idempotencyKey, payload }) => {
      try {
        await once(
          deps.idempotency,
          idempotencyKey,
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
    }),
  ];
}

/** Analytics worker: PublishAnalytics (one projection row per order, from the command alone). */
function analyticsRoutes(deps: CheckoutDeps): CommandRoute[] {
  return [
    handleCommand(publishAnalytics, async ({ orderId, payload }) => {
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
    }),
  ];
}

const ROUTES: Readonly<Record<QueueName, (deps: CheckoutDeps) => CommandRoute[]>> = {
  payment: paymentRoutes,
  inventory: inventoryRoutes,
  fulfillment: fulfillmentRoutes,
  notification: notificationRoutes,
  analytics: analyticsRoutes,
};

/**
 * The routes of one stage's worker, for `createSqsBatchHandler` (its Lambda) or `createSqsConsumer`
 * (containers): exactly the commands whose destination is `queue` (the topology test checks it).
 */
export function stageRoutes(deps: CheckoutDeps, queue: QueueName): CommandRoute[] {
  return ROUTES[queue](deps);
}
