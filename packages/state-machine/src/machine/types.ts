/** What a guard sees when it decides whether a transition may happen. */
export interface GuardInput<S extends string = string, E extends string = string> {
  /** The current state. */
  readonly from: S;
  /** The event being applied. */
  readonly event: E;
  /** The payload given with the event (`undefined` when none). Parse it before trusting it. */
  readonly payload: unknown;
  /** Who applies the event (`undefined` for a pure `transition` call without one). */
  readonly actor: string | undefined;
}

/** A named guard: returns `false` to refuse the transition. Must be pure and synchronous. */
export type Guard<S extends string = string, E extends string = string> = (input: GuardInput<S, E>) => boolean;

/** A transition written out in full, for when it needs a guard or a description. */
export interface TransitionConfig<S extends string> {
  /** The state the transition leads to. */
  readonly target: S;
  /** Name of a guard in the machine's `guards`; the transition happens only if it returns `true`. */
  readonly guard?: string;
  /** Free text for diagrams and docs. */
  readonly description?: string;
}

/**
 * A durable timeout of a state: `afterSeconds` after an aggregate enters the state, the store's sweeper
 * (`fireDue` / `runDeadlines`) applies `event`, unless the aggregate left the state first.
 */
export interface DeadlineConfig<E extends string = string> {
  /** Whole seconds from entering the state until `event` is due (1 to 31,536,000, one year). */
  readonly afterSeconds: number;
  /** An event this state accepts (type-checked by `defineMachine`); its transition may not have a guard. */
  readonly event: E;
}

/** One state of a machine definition. */
export interface StateConfig<S extends string> {
  /** Events this state accepts, each mapped to a target state (or a full {@link TransitionConfig}). */
  readonly on?: { readonly [event: string]: S | TransitionConfig<S> };
  /** A terminal state accepts no events; only `force` (manual repair) can move an aggregate out of it. */
  readonly terminal?: boolean;
  /** A durable timeout: the event applied when the aggregate is still in this state `afterSeconds` later. */
  readonly deadline?: DeadlineConfig;
  /** Free text for diagrams and docs. */
  readonly description?: string;
}

/** One edge of a machine, normalized from its definition. */
export interface MachineTransition<S extends string, E extends string> {
  /** Source state. */
  readonly from: S;
  /** Event that triggers it. */
  readonly event: E;
  /** Target state. */
  readonly to: S;
  /** Guard name, when the transition has one. */
  readonly guard?: string;
  /** Free text from the definition. */
  readonly description?: string;
}

/** The deadline of one state, normalized from its definition. */
export interface MachineDeadline<S extends string, E extends string> {
  /** The state the deadline belongs to. */
  readonly state: S;
  /** Whole seconds from entering `state` until `event` is due. */
  readonly afterSeconds: number;
  /** The event the sweeper applies. */
  readonly event: E;
}

/**
 * A machine built by `defineMachine`: states `S`, events `E`, terminal states `T`, all derived from the
 * definition so that an unknown name is a compile error.
 */
export interface Machine<S extends string, E extends string, T extends S = S> {
  /** Stable id, stored with every audit event (e.g. `order`). */
  readonly id: string;
  /** Version of this definition, stored on every write so old rows can be told apart. */
  readonly version: number;
  /** The state `create` puts a new aggregate in. */
  readonly initial: S;
  /** Every state, in definition order. */
  readonly states: readonly S[];
  /** Every event, in order of first appearance. */
  readonly events: readonly E[];
  /** States that accept no events. */
  readonly terminalStates: readonly T[];
  /** Every allowed transition, in definition order. */
  readonly transitions: readonly MachineTransition<S, E>[];
  /** Names of the guards the definition uses. */
  readonly guardNames: readonly string[];
  /** The states' deadlines, in definition order (empty when no state has one). */
  readonly deadlines: readonly MachineDeadline<S, E>[];
  /** Runs the named guard (declared as a method so a specific machine is assignable to {@link AnyMachine}). */
  evaluateGuard(name: string, input: GuardInput<S, E>): boolean;
}

/** Any machine, whatever its names; for functions that accept every machine. */
export type AnyMachine = Machine<string, string, string>;

/** The state names of a machine type. */
export type StateOf<M> = M extends Machine<infer S, string, infer _T> ? S : never;
/** The event names of a machine type. */
export type EventOf<M> = M extends Machine<string, infer E, infer _T> ? E : never;
/** The terminal state names of a machine type. */
export type TerminalStateOf<M> = M extends Machine<string, string, infer T> ? T : never;
