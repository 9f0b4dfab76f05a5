import type {
  DeadlineFired,
  DeadlineObserver,
  DeadlineRunResult,
  OrderEvent,
  OrderState,
} from '@checkout/state-machine';
import { enqueueCommand } from '@checkout/workers/outbox';
import type { Transaction } from 'kysely';
import { publishAnalytics, sendReceipt, voidPayment } from '../commands/commands.js';
import type { CheckoutDatabase } from '../db/database.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { analyticsOf } from './command-handlers.js';
import { loadOrder } from './load-order.js';

/**
 * What a fired order deadline does next, in the sweeper's transaction (so the commands commit with the
 * transition or not at all):
 *
 * - `payment.timed_out` (PENDING_PAYMENT -> CANCELLED): cancel the provider request (VoidPayment: an
 *   authorization that landed unanswered is voided, a later one declined), tell the buyer, report.
 * - `inventory.timed_out` (PAYMENT_AUTHORIZED -> INVENTORY_TIMED_OUT): VoidPayment voids the
 *   authorization, releases a reservation made meanwhile and cancels the order.
 */
export function orderDeadlineEffects(deps: DeadlineDeps) {
  return async (trx: Transaction<CheckoutDatabase>, fired: DeadlineFired<OrderState, OrderEvent>): Promise<void> => {
    const orderId = fired.id;
    if (fired.event === 'payment.timed_out') {
      const order = await loadOrder(deps, orderId);
      // The sweeper runs outside the order's request: its commands continue the checkout's trace.
      const traced = order.traceparent === null ? {} : { traceparent: order.traceparent };
      const reason = `payment not answered in time (${fired.from} deadline)`;
      await enqueueCommand(deps.outbox, trx, voidPayment, { reason }, { orderId, key: 'payment-timeout', ...traced });
      const receipt = { customerId: order.customerId, template: 'order-cancelled' } as const;
      await enqueueCommand(deps.outbox, trx, sendReceipt, receipt, { orderId, key: receipt.template, ...traced });
      await enqueueCommand(deps.outbox, trx, publishAnalytics, analyticsOf(order, 'CANCELLED'), {
        orderId,
        ...traced,
      });
      return;
    }
    if (fired.event === 'inventory.timed_out') {
      const order = await loadOrder(deps, orderId);
      const traced = order.traceparent === null ? {} : { traceparent: order.traceparent };
      const reason = 'stock not reserved in time';
      await enqueueCommand(deps.outbox, trx, voidPayment, { reason }, { orderId, key: 'inventory-timeout', ...traced });
    }
  };
}

/** What the deadline sweeper needs of the service (no provider clients: it only enqueues commands). */
export type DeadlineDeps = Pick<CheckoutDeps, 'db' | 'schema' | 'outbox' | 'orders'>;

/** Options of {@link runOrderDeadlines}. */
export interface OrderDeadlineRunOptions {
  /** Budget of the run (a scheduled Lambda: a little less than its timeout). */
  readonly forMs: number;
  /** Pause when nothing is due. Default 1000. */
  readonly idleMs?: number;
  /** Due orders per transaction. Default 100. */
  readonly limit?: number;
  /** Stops the run early. */
  readonly signal?: AbortSignal;
  /** Return once nothing more is due (a scheduled Lambda) instead of running for `forMs`. */
  readonly untilIdle?: boolean;
  readonly observer?: DeadlineObserver;
}

/** The order deadline sweeper: `store.runDeadlines` with {@link orderDeadlineEffects}. */
export function runOrderDeadlines(deps: DeadlineDeps, options: OrderDeadlineRunOptions): Promise<DeadlineRunResult> {
  return deps.orders.runDeadlines(deps.db, {
    forMs: options.forMs,
    ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.untilIdle === undefined ? {} : { untilIdle: options.untilIdle }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    onFired: orderDeadlineEffects(deps),
  });
}
