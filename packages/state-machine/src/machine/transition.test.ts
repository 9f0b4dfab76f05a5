import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, StateMachineInputError } from '../errors.js';
import { defineMachine } from './define-machine.js';
import { allowedEvents, canTransition, transition } from './transition.js';

const refund = defineMachine({
  id: 'refund',
  version: 1,
  initial: 'REQUESTED',
  states: {
    REQUESTED: {
      on: {
        approve: { target: 'APPROVED', guard: 'smallAmount' },
        escalate: 'REVIEW',
      },
    },
    REVIEW: { on: { approve: { target: 'APPROVED', guard: 'isSupervisor' }, reject: 'REJECTED' } },
    APPROVED: { terminal: true },
    REJECTED: { terminal: true },
  },
  guards: {
    smallAmount: ({ payload }) =>
      typeof payload === 'object' && payload !== null && 'amount' in payload && payload.amount === 100,
    isSupervisor: ({ actor }) => actor?.startsWith('supervisor:') === true,
  },
});

describe('transition', () => {
  it('follows an unguarded edge', () => {
    expect(transition(refund, 'REQUESTED', 'escalate')).toBe('REVIEW');
  });

  it('passes payload and actor to guards', () => {
    expect(transition(refund, 'REQUESTED', 'approve', { payload: { amount: 100 } })).toBe('APPROVED');
    expect(transition(refund, 'REVIEW', 'approve', { actor: 'supervisor:kim' })).toBe('APPROVED');
  });

  it('refuses with guard-rejected when the guard says no', () => {
    expect(() => transition(refund, 'REQUESTED', 'approve', { payload: { amount: 5000 } })).toThrowError(
      expect.objectContaining({
        code: 'STATE_MACHINE_INVALID_TRANSITION',
        reason: 'guard-rejected',
        allowedEvents: ['approve', 'escalate'],
      }),
    );
    expect(canTransition(refund, 'REVIEW', 'approve', { actor: 'agent:joe' })).toBe(false);
  });

  it('refuses in a terminal state with reason terminal-state and no allowed events', () => {
    const error = captured(() => transition(refund, 'APPROVED', 'reject'));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ reason: 'terminal-state', allowedEvents: [], from: 'APPROVED', event: 'reject' });
    expect((error as Error).message).toContain('allowed events: none');
  });

  it('refuses an event the state does not accept, listing what it accepts', () => {
    expect(captured(() => transition(refund, 'REQUESTED', 'reject'))).toMatchObject({
      reason: 'event-not-allowed',
      allowedEvents: ['approve', 'escalate'],
    });
  });

  it('rejects names the machine does not define with StateMachineInputError naming the field', () => {
    expect(captured(() => transition(refund, 'NOPE' as 'REQUESTED', 'escalate'))).toMatchObject({
      constructor: StateMachineInputError,
      field: 'state',
    });
    expect(captured(() => transition(refund, 'REQUESTED', 'nope' as 'escalate'))).toMatchObject({
      constructor: StateMachineInputError,
      field: 'event',
    });
    expect(captured(() => allowedEvents(refund, 'toString' as 'REQUESTED'))).toMatchObject({ field: 'state' });
  });

  it('is pure: repeated calls give the same answer and the machine is frozen', () => {
    expect(transition(refund, 'REQUESTED', 'escalate')).toBe(transition(refund, 'REQUESTED', 'escalate'));
    expect(Object.isFrozen(refund)).toBe(true);
    expect(Object.isFrozen(refund.transitions)).toBe(true);
  });
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
