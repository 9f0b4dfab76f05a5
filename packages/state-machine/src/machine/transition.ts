import { InvalidTransitionError, StateMachineInputError } from '../errors.js';
import type { Machine } from './types.js';

/** Extra facts a guard may look at. */
export interface TransitionContext {
  /** The event's payload, passed to guards as is. */
  readonly payload?: unknown;
  /** Who applies the event, passed to guards. */
  readonly actor?: string;
}

/**
 * The events `state` accepts, before guards, in definition order. Empty for a terminal state.
 * Throws `StateMachineInputError` (field `state`) for a name the machine does not define.
 */
export function allowedEvents<S extends string, E extends string, T extends S>(
  machine: Machine<S, E, T>,
  state: NoInfer<S>,
): E[] {
  assertState(machine, state);
  return machine.transitions.filter((edge) => edge.from === state).map((edge) => edge.event);
}

/**
 * Pure: the state `event` leads to from `state`, or a thrown {@link InvalidTransitionError} that lists
 * the events `state` allows (reason `terminal-state`, `event-not-allowed` or `guard-rejected`).
 * Reads nothing and writes nothing; the same inputs always give the same answer (guards must be pure).
 *
 * @example
 * ```ts
 * import { orderMachine, transition } from '@checkout/state-machine';
 *
 * transition(orderMachine, 'PENDING_PAYMENT', 'payment.authorized'); // 'PAYMENT_AUTHORIZED'
 * ```
 */
export function transition<S extends string, E extends string, T extends S>(
  machine: Machine<S, E, T>,
  state: NoInfer<S>,
  event: NoInfer<E>,
  context: TransitionContext = {},
): S {
  assertState(machine, state);
  if (!machine.events.includes(event)) {
    throw new StateMachineInputError('event', `${JSON.stringify(event)} is not an event of machine ${machine.id}`);
  }
  const edges = machine.transitions.filter((edge) => edge.from === state);
  const edge = edges.find((candidate) => candidate.event === event);
  const allowed = edges.map((candidate) => candidate.event);
  const refuse = (reason: InvalidTransitionError['reason']) =>
    new InvalidTransitionError({ machineId: machine.id, from: state, event, allowedEvents: allowed, reason });
  if (edge === undefined) {
    throw refuse(
      (machine.terminalStates as readonly string[]).includes(state) ? 'terminal-state' : 'event-not-allowed',
    );
  }
  if (
    edge.guard !== undefined &&
    !machine.evaluateGuard(edge.guard, { from: state, event, payload: context.payload, actor: context.actor })
  ) {
    throw refuse('guard-rejected');
  }
  return edge.to;
}

/** `true` when {@link transition} would succeed; never throws for a refused transition. */
export function canTransition<S extends string, E extends string, T extends S>(
  machine: Machine<S, E, T>,
  state: NoInfer<S>,
  event: NoInfer<E>,
  context: TransitionContext = {},
): boolean {
  try {
    transition(machine, state, event, context);
    return true;
  } catch (error) {
    if (error instanceof InvalidTransitionError) return false;
    throw error;
  }
}

function assertState(machine: { readonly id: string; readonly states: readonly string[] }, state: string): void {
  if (!machine.states.includes(state)) {
    throw new StateMachineInputError('state', `${JSON.stringify(state)} is not a state of machine ${machine.id}`);
  }
}
