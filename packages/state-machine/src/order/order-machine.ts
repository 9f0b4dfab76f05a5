import { defineMachine } from '../machine/define-machine.js';
import type { EventOf, StateOf } from '../machine/types.js';

/**
 * The checkout order flow. States are nouns of where the order is; events are past-tense facts a
 * worker or operator reports (`payment.authorized`), so a state and the event that leads to it never
 * share a name in logs and audit rows.
 *
 * - Happy path: PENDING_PAYMENT -> PAYMENT_AUTHORIZED -> INVENTORY_RESERVED -> FULFILLMENT_STARTED -> COMPLETED.
 * - Declined card: PENDING_PAYMENT -> PAYMENT_DECLINED (terminal: nothing was charged).
 * - Short stock after payment: PAYMENT_AUTHORIZED -> INVENTORY_SHORT -> PAYMENT_VOIDED -> CANCELLED.
 * - Any non-terminal state -> NEEDS_ATTENTION by `attention.requested` (an operator, or a worker that gave
 *   up). NEEDS_ATTENTION accepts no worker events, so late commands cannot move an order that a human is
 *   looking at; support moves it on with `force` (audited with actor and reason).
 */
export const orderMachine = defineMachine({
  id: 'order',
  version: 1,
  initial: 'PENDING_PAYMENT',
  states: {
    PENDING_PAYMENT: {
      on: {
        'payment.authorized': 'PAYMENT_AUTHORIZED',
        'payment.declined': 'PAYMENT_DECLINED',
        'attention.requested': 'NEEDS_ATTENTION',
      },
    },
    PAYMENT_AUTHORIZED: {
      on: {
        'inventory.reserved': 'INVENTORY_RESERVED',
        'inventory.short': 'INVENTORY_SHORT',
        'attention.requested': 'NEEDS_ATTENTION',
      },
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

/** A state of {@link orderMachine}. */
export type OrderState = StateOf<typeof orderMachine>;
/** An event of {@link orderMachine}. */
export type OrderEvent = EventOf<typeof orderMachine>;
