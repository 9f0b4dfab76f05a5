import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../errors.js';
import { allowedEvents, transition } from '../machine/transition.js';
import { createOrderMachine, type OrderEvent, type OrderState, orderMachine } from './order-machine.js';

// The flow written out by hand (not derived from the machine), so a change to the definition must
// change this table too.
const allowed: ReadonlyArray<readonly [OrderState, OrderEvent, OrderState]> = [
  ['PENDING_PAYMENT', 'payment.authorized', 'PAYMENT_AUTHORIZED'],
  ['PENDING_PAYMENT', 'payment.declined', 'PAYMENT_DECLINED'],
  ['PENDING_PAYMENT', 'payment.timed_out', 'CANCELLED'],
  ['PENDING_PAYMENT', 'attention.requested', 'NEEDS_ATTENTION'],
  ['PAYMENT_AUTHORIZED', 'inventory.reserved', 'INVENTORY_RESERVED'],
  ['PAYMENT_AUTHORIZED', 'inventory.short', 'INVENTORY_SHORT'],
  ['PAYMENT_AUTHORIZED', 'inventory.timed_out', 'INVENTORY_TIMED_OUT'],
  ['PAYMENT_AUTHORIZED', 'attention.requested', 'NEEDS_ATTENTION'],
  ['INVENTORY_RESERVED', 'fulfillment.started', 'FULFILLMENT_STARTED'],
  ['INVENTORY_RESERVED', 'attention.requested', 'NEEDS_ATTENTION'],
  ['FULFILLMENT_STARTED', 'fulfillment.completed', 'COMPLETED'],
  ['FULFILLMENT_STARTED', 'attention.requested', 'NEEDS_ATTENTION'],
  ['INVENTORY_SHORT', 'payment.voided', 'PAYMENT_VOIDED'],
  ['INVENTORY_SHORT', 'attention.requested', 'NEEDS_ATTENTION'],
  ['INVENTORY_TIMED_OUT', 'payment.voided', 'PAYMENT_VOIDED'],
  ['INVENTORY_TIMED_OUT', 'attention.requested', 'NEEDS_ATTENTION'],
  ['PAYMENT_VOIDED', 'order.cancelled', 'CANCELLED'],
  ['PAYMENT_VOIDED', 'attention.requested', 'NEEDS_ATTENTION'],
];
const states: readonly OrderState[] = [
  'PENDING_PAYMENT',
  'PAYMENT_AUTHORIZED',
  'INVENTORY_RESERVED',
  'FULFILLMENT_STARTED',
  'INVENTORY_SHORT',
  'INVENTORY_TIMED_OUT',
  'PAYMENT_VOIDED',
  'NEEDS_ATTENTION',
  'COMPLETED',
  'PAYMENT_DECLINED',
  'CANCELLED',
];
const events: readonly OrderEvent[] = [
  'payment.authorized',
  'payment.declined',
  'payment.timed_out',
  'attention.requested',
  'inventory.reserved',
  'inventory.short',
  'inventory.timed_out',
  'fulfillment.started',
  'fulfillment.completed',
  'payment.voided',
  'order.cancelled',
];
const terminal: readonly OrderState[] = ['COMPLETED', 'PAYMENT_DECLINED', 'CANCELLED'];

const every = states.flatMap((from) =>
  events.map((event) => {
    const hit = allowed.find(([f, e]) => f === from && e === event);
    return { from, event, to: hit?.[2] };
  }),
);

describe('orderMachine', () => {
  it('has exactly the expected states, events, terminal states and initial state', () => {
    expect([...orderMachine.states].sort()).toEqual([...states].sort());
    expect([...orderMachine.events].sort()).toEqual([...events].sort());
    expect([...orderMachine.terminalStates].sort()).toEqual([...terminal].sort());
    expect(orderMachine.initial).toBe('PENDING_PAYMENT');
    expect(orderMachine.transitions).toHaveLength(allowed.length);
  });

  it.each(every.filter((row) => row.to !== undefined))('$from --$event--> $to', ({ from, event, to }) => {
    expect(transition(orderMachine, from, event)).toBe(to);
  });

  it.each(every.filter((row) => row.to === undefined))('$from refuses $event', ({ from, event }) => {
    let caught: unknown;
    try {
      transition(orderMachine, from, event);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidTransitionError);
    const error = caught as InvalidTransitionError;
    expect(error.code).toBe('STATE_MACHINE_INVALID_TRANSITION');
    expect(error.httpStatus).toBe(409);
    expect(error.from).toBe(from);
    expect(error.event).toBe(event);
    const expectedAllowed = allowed.filter(([f]) => f === from).map(([, e]) => e);
    expect([...error.allowedEvents].sort()).toEqual([...expectedAllowed].sort());
    expect(error.reason).toBe(terminal.includes(from) ? 'terminal-state' : 'event-not-allowed');
  });

  it('covers every (state, event) pair: 121 cases, 18 allowed', () => {
    expect(every).toHaveLength(states.length * events.length);
    expect(every.filter((row) => row.to !== undefined)).toHaveLength(18);
  });

  it('times out waiting for payment and for stock (defaults 15 and 10 minutes; configurable)', () => {
    expect(orderMachine.deadlines).toEqual([
      { state: 'PENDING_PAYMENT', afterSeconds: 900, event: 'payment.timed_out' },
      { state: 'PAYMENT_AUTHORIZED', afterSeconds: 600, event: 'inventory.timed_out' },
    ]);
    const demo = createOrderMachine({ pendingPaymentSeconds: 20, paymentAuthorizedSeconds: 30 });
    expect(demo.deadlines.map((d) => d.afterSeconds)).toEqual([20, 30]);
    expect(demo.transitions).toEqual(orderMachine.transitions);
    expect(() => createOrderMachine({ pendingPaymentSeconds: 0 })).toThrow(
      expect.objectContaining({ field: 'states.PENDING_PAYMENT.deadline.afterSeconds' }),
    );
  });

  it('lets every non-terminal state be flagged for attention, and NEEDS_ATTENTION leaves only by force', () => {
    for (const state of states.filter((s) => !terminal.includes(s) && s !== 'NEEDS_ATTENTION')) {
      expect(transition(orderMachine, state, 'attention.requested')).toBe('NEEDS_ATTENTION');
    }
    expect(allowedEvents(orderMachine, 'NEEDS_ATTENTION')).toEqual([]);
  });
});
