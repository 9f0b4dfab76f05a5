import { fieldPath } from '@checkout/core';
import { InvalidMachineError } from '../errors.js';
import type {
  Guard,
  GuardInput,
  Machine,
  MachineDeadline,
  MachineTransition,
  StateConfig,
  TransitionConfig,
} from './types.js';

/** The longest deadline a state may declare: one year, in seconds. */
const MAX_DEADLINE_SECONDS = 31_536_000;

type StateNames<D> = keyof D & string;

/** Event names of a states definition: every key of every state's `on`. */
export type EventNamesOf<D> = {
  [K in keyof D]: D[K] extends { readonly on: infer O } ? keyof O & string : never;
}[keyof D];

/** Guard names a states definition references. */
export type GuardNamesOf<D> = {
  [K in keyof D]: D[K] extends { readonly on: infer O }
    ? { [Ev in keyof O]: O[Ev] extends { readonly guard: infer G extends string } ? G : never }[keyof O]
    : never;
}[keyof D];

/** Terminal state names of a states definition (`terminal: true`). */
export type TerminalNamesOf<D> = {
  [K in keyof D]: D[K] extends { readonly terminal: true } ? K & string : never;
}[keyof D];

/** `guards` is required, with exactly the guard names the states use, as soon as one transition has a guard. */
export type GuardsOption<D> = [GuardNamesOf<D>] extends [never]
  ? { readonly guards?: Readonly<Record<never, never>> }
  : { readonly guards: { readonly [G in GuardNamesOf<D>]: Guard<StateNames<D>, EventNamesOf<D>> } };

/**
 * For each state that declares a `deadline`, the shape it must have: its `event` is one of the events
 * that state accepts (a key of its own `on`).
 */
export type DeadlinesOf<D> = {
  readonly [K in keyof D]: D[K] extends { readonly deadline: unknown }
    ? {
        readonly deadline: {
          readonly afterSeconds: number;
          readonly event: D[K] extends { readonly on: infer O } ? keyof O & string : never;
        };
      }
    : unknown;
};

/** The definition `defineMachine` takes; `D` is the `states` object. */
export type MachineDefinition<D> = {
  /** Stable id, stored with every audit event (e.g. `order`). A short lower-case name. */
  readonly id: string;
  /** Version of this definition (positive integer); bump it when states or transitions change. */
  readonly version: number;
  /** The state a new aggregate starts in. */
  readonly initial: NoInfer<StateNames<D>>;
  /** States by name, each with the events it accepts (and optionally a `deadline`). */
  readonly states: D & NoInfer<DeadlinesOf<D>>;
} & GuardsOption<NoInfer<D>>;

/**
 * Defines a state machine. State, event, terminal-state and guard names are all taken from the
 * definition, so a typo in a target, in `initial`, in a guard name, or later in `transition(...)` /
 * `store.apply(...)` is a compile error. The definition is also checked at run time (for JavaScript
 * callers) and the result is frozen.
 *
 * @example
 * ```ts
 * import { defineMachine } from '@checkout/state-machine';
 *
 * const door = defineMachine({
 *   id: 'door',
 *   version: 1,
 *   initial: 'CLOSED',
 *   states: {
 *     CLOSED: { on: { open: 'OPEN', lock: { target: 'LOCKED', guard: 'hasKey' } } },
 *     OPEN: { on: { close: 'CLOSED' } },
 *     LOCKED: { terminal: true },
 *   },
 *   guards: { hasKey: ({ payload }) => payload === 'key' },
 * });
 * ```
 */
export function defineMachine<const D extends { readonly [K in keyof D]: StateConfig<keyof D & string> }>(
  definition: MachineDefinition<D>,
): Machine<StateNames<D>, EventNamesOf<D>, TerminalNamesOf<D>> {
  type S = StateNames<D>;
  type E = EventNamesOf<D>;
  type T = TerminalNamesOf<D>;
  const { id, version, initial } = definition;
  if (typeof id !== 'string' || !/^[a-z][a-z0-9_.-]{0,62}$/.test(id)) {
    throw new InvalidMachineError('id', `must match /^[a-z][a-z0-9_.-]{0,62}$/, got ${JSON.stringify(id)}`);
  }
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InvalidMachineError('version', `must be a positive integer, got ${JSON.stringify(version)}`);
  }
  const statesConfig: Readonly<Record<string, StateConfig<string>>> = definition.states;
  if (typeof statesConfig !== 'object' || statesConfig === null) {
    throw new InvalidMachineError('states', 'must be an object of states');
  }
  const states = Object.keys(statesConfig) as S[];
  if (states.length === 0) throw new InvalidMachineError('states', 'must define at least one state');
  for (const state of states) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(state)) {
      throw new InvalidMachineError(fieldPath('states', state), 'state names must match /^[A-Za-z][A-Za-z0-9_]*$/');
    }
  }
  if (!states.includes(initial)) {
    throw new InvalidMachineError('initial', `${JSON.stringify(initial)} is not a state`);
  }

  const guardImplementations: Readonly<Record<string, Guard<S, E> | undefined>> =
    (definition as { readonly guards?: Readonly<Record<string, Guard<S, E>>> }).guards ?? {};
  const transitions: MachineTransition<S, E>[] = [];
  const events: E[] = [];
  const terminalStates: T[] = [];
  const guardNames = new Set<string>();
  for (const from of states) {
    const config = statesConfig[from] ?? {};
    const on = config.on ?? {};
    const eventNames = Object.keys(on);
    if (config.terminal === true) {
      if (eventNames.length > 0) {
        throw new InvalidMachineError(fieldPath('states', from, 'on'), 'a terminal state accepts no events');
      }
      terminalStates.push(from as T);
    }
    for (const event of eventNames) {
      const field = fieldPath('states', from, 'on', event);
      if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(event)) {
        throw new InvalidMachineError(field, 'event names must match /^[A-Za-z][A-Za-z0-9_.:-]*$/');
      }
      const raw = on[event] as string | TransitionConfig<string> | undefined;
      const full: TransitionConfig<string> | undefined = typeof raw === 'string' ? { target: raw } : raw;
      if (full === undefined || !states.includes(full.target as S)) {
        throw new InvalidMachineError(field, `target ${JSON.stringify(full?.target)} is not a state`);
      }
      if (full.guard !== undefined) {
        if (
          !Object.hasOwn(guardImplementations, full.guard) ||
          typeof guardImplementations[full.guard] !== 'function'
        ) {
          throw new InvalidMachineError(fieldPath('guards', full.guard), `guard used by ${field} is not implemented`);
        }
        guardNames.add(full.guard);
      }
      if (!events.includes(event as E)) events.push(event as E);
      transitions.push(
        Object.freeze({
          from,
          event: event as E,
          to: full.target as S,
          ...(full.guard === undefined ? {} : { guard: full.guard }),
          ...(full.description === undefined ? {} : { description: full.description }),
        }),
      );
    }
  }
  const deadlines: MachineDeadline<S, E>[] = [];
  for (const state of states) {
    const deadline: unknown = statesConfig[state]?.deadline;
    if (deadline === undefined) continue;
    const field = fieldPath('states', state, 'deadline');
    if (typeof deadline !== 'object' || deadline === null) {
      throw new InvalidMachineError(field, 'must be an object { afterSeconds, event }');
    }
    const { afterSeconds, event } = deadline as { readonly afterSeconds?: unknown; readonly event?: unknown };
    if (
      typeof afterSeconds !== 'number' ||
      !Number.isSafeInteger(afterSeconds) ||
      afterSeconds < 1 ||
      afterSeconds > MAX_DEADLINE_SECONDS
    ) {
      throw new InvalidMachineError(
        fieldPath('states', state, 'deadline', 'afterSeconds'),
        `must be a whole number of seconds from 1 to ${MAX_DEADLINE_SECONDS}, got ${JSON.stringify(afterSeconds)}`,
      );
    }
    const edge = transitions.find((candidate) => candidate.from === state && candidate.event === event);
    if (edge === undefined) {
      throw new InvalidMachineError(
        fieldPath('states', state, 'deadline', 'event'),
        `${JSON.stringify(event)} is not an event ${state} accepts`,
      );
    }
    if (edge.guard !== undefined) {
      throw new InvalidMachineError(
        fieldPath('states', state, 'deadline', 'event'),
        `the transition of ${JSON.stringify(event)} has guard ${edge.guard}; a deadline's transition cannot be refused`,
      );
    }
    deadlines.push(Object.freeze({ state, afterSeconds, event: edge.event }));
  }
  for (const name of Object.keys(guardImplementations)) {
    if (!guardNames.has(name))
      throw new InvalidMachineError(fieldPath('guards', name), 'guard is not used by any transition');
  }

  return Object.freeze({
    id,
    version,
    initial,
    states: Object.freeze(states),
    events: Object.freeze(events),
    terminalStates: Object.freeze(terminalStates),
    transitions: Object.freeze(transitions),
    guardNames: Object.freeze([...guardNames]),
    deadlines: Object.freeze(deadlines),
    evaluateGuard(name: string, input: GuardInput<S, E>): boolean {
      const guard = Object.hasOwn(guardImplementations, name) ? guardImplementations[name] : undefined;
      if (guard === undefined) throw new InvalidMachineError(fieldPath('guards', name), 'no such guard');
      return guard(input) === true;
    },
  });
}
