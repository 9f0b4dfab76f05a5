import { defineMachine } from '../machine/define-machine.js';
import type { EventOf, StateOf } from '../machine/types.js';

/** Deadlines of the order flow, in whole seconds (see {@link createOrderMachine}). */
export interface OrderDeadlines {
  /**
   * How long an order may wait for the payment provider's answer before it is cancelled
   * (`payment.timed_out`). Default 900 (15 minutes): a buyer who waited that long has gone.
   */
  readonly pendingPaymentSeconds?: number;
  /**
   * How long an authorized order may wait for its stock reservation before the authorization is voided
   * and the order cancelled (`inventory.timed_out`). Default 600 (10 minutes), well inside the 7 days a
   * card authorization lasts.
   */
  readonly paymentAuthorizedSeconds?: number;
}

/** Default {@link OrderDeadlines}. */
export const DEFAULT_ORDER_DEADLINES = Object.freeze({
  pendingPaymentSeconds: 900,
  paymentAuthorizedSeconds: 600,
} as const);

/**
 * The checkout order flow with its deadlines. States are nouns of where the order is; events are
 * past-tense facts a worker, operator or deadline reports (`payment.authorized`), so a state and the
 * event that leads to it never share a name in logs and audit rows.
 *
 * - Happy path: PENDING_PAYMENT -> PAYMENT_AUTHORIZED -> INVENTORY_RESERVED -> FULFILLMENT_STARTED -> COMPLETED.
 * - Declined card: PENDING_PAYMENT -> PAYMENT_DECLINED (terminal: nothing was charged).
 * - Short stock after payment: PAYMENT_AUTHORIZED -> INVENTORY_SHORT -> PAYMENT_VOIDED -> CANCELLED.
 * - Payment never answered: PENDING_PAYMENT -(deadline `payment.timed_out`)-> CANCELLED; an authorization
 *   that arrives later must be voided by the caller (compensation).
 * - Stock never answered: PAYMENT_AUTHORIZED -(deadline `inventory.timed_out`)-> INVENTORY_TIMED_OUT ->
 *   PAYMENT_VOIDED -> CANCELLED (void the authorization, release a reservation made meanwhile).
 * - Any non-terminal state -> NEEDS_ATTENTION by `attention.requested` (an operator, or a worker that gave
 *   up). NEEDS_ATTENTION accepts no worker events, so late commands cannot move an order that a human is
 *   looking at; support moves it on with `force` (audited with actor and reason).
 *
 * INVENTORY_RESERVED has no deadline of its own: the reservation's hold (set by the inventory worker)
 * is its timer, and a hold that expired before fulfillment commits it sends the order to NEEDS_ATTENTION.
 *
 * @example
 * ```ts
 * import { createOrderMachine } from '@checkout/state-machine';
 *
 * // A demo with short timeouts; production keeps the defaults (15 and 10 minutes).
 * const demoOrders = createOrderMachine({ pendingPaymentSeconds: 20, paymentAuthorizedSeconds: 30 });
 * ```
 */
export function createOrderMachine(deadlines: OrderDeadlines = {}) {
  const pendingPaymentSeconds = deadlines.pendingPaymentSeconds ?? DEFAULT_ORDER_DEADLINES.pendingPaymentSeconds;
  const paymentAuthorizedSeconds =
    deadlines.paymentAuthorizedSeconds ?? DEFAULT_ORDER_DEADLINES.paymentAuthorizedSeconds;
  return defineMachine({
    id: 'order',
    version: 2,
    initial: 'PENDING_PAYMENT',
    states: {
      PENDING_PAYMENT: {
        on: {
          'payment.authorized': 'PAYMENT_AUTHORIZED',
          'payment.declined': 'PAYMENT_DECLINED',
          'payment.timed_out': 'CANCELLED',
          'attention.requested': 'NEEDS_ATTENTION',
        },
        deadline: { afterSeconds: pendingPaymentSeconds, event: 'payment.timed_out' },
      },
      PAYMENT_AUTHORIZED: {
        on: {
          'inventory.reserved': 'INVENTORY_RESERVED',
          'inventory.short': 'INVENTORY_SHORT',
          'inventory.timed_out': 'INVENTORY_TIMED_OUT',
          'attention.requested': 'NEEDS_ATTENTION',
        },
        deadline: { afterSeconds: paymentAuthorizedSeconds, event: 'inventory.timed_out' },
      },
      INVENTORY_RESERVED: {
        on: {
          'fulfillment.started': 'FULFILLMENT_STARTED',
          'attention.requested': 'NEEDS_ATTENTION',
        },
      },
      FULFILLMENT_STARTED: {
        on: {
          'fulfillment.completed': 'COMPLETED',
          'attention.requested': 'NEEDS_ATTENTION',
        },
      },
      INVENTORY_SHORT: {
        on: {
          'payment.voided': 'PAYMENT_VOIDED',
          'attention.requested': 'NEEDS_ATTENTION',
        },
      },
      INVENTORY_TIMED_OUT: {
        on: {
          'payment.voided': 'PAYMENT_VOIDED',
          'attention.requested': 'NEEDS_ATTENTION',
        },
      },
      PAYMENT_VOIDED: {
        on: {
          'order.cancelled': 'CANCELLED',
          'attention.requested': 'NEEDS_ATTENTION',
        },
      },
      NEEDS_ATTENTION: {
        description: 'held for support; leaves only by force()',
      },
      COMPLETED: { terminal: true },
      PAYMENT_DECLINED: { terminal: true },
      CANCELLED: { terminal: true },
    },
  });
}

/**
 * The checkout order flow with the default deadlines ({@link DEFAULT_ORDER_DEADLINES}); see
 * {@link createOrderMachine} for the flow and for other deadlines.
 */
export const orderMachine = createOrderMachine();

/** A state of {@link orderMachine}. */
export type OrderState = StateOf<typeof orderMachine>;
/** An event of {@link orderMachine}. */
export type OrderEvent = EventOf<typeof orderMachine>;
