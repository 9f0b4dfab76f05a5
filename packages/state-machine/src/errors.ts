import { CheckoutError } from '@checkout/core';

/** Stable codes of every error `@checkout/state-machine` throws. */
export type StateMachineErrorCode =
  | 'STATE_MACHINE_INVALID_MACHINE'
  | 'STATE_MACHINE_INVALID_CONFIG'
  | 'STATE_MACHINE_INVALID_INPUT'
  | 'STATE_MACHINE_INVALID_TRANSITION'
  | 'STATE_MACHINE_VERSION_CONFLICT'
  | 'STATE_MACHINE_NOT_FOUND'
  | 'STATE_MACHINE_ALREADY_EXISTS'
  | 'STATE_MACHINE_EVENT_ID_REUSED'
  | 'STATE_MACHINE_UNKNOWN_STATE';

/**
 * Base class of every error thrown by `@checkout/state-machine` (a `CheckoutError` of `@checkout/core`):
 * switch on `code`, never on the message. `httpStatus` is set on every error, `field` names the bad
 * option or argument when one is at fault.
 *
 * @example
 * ```ts
 * import { toHttpResponse } from '@checkout/core';
 * import { StateMachineError } from '@checkout/state-machine';
 *
 * function answer(error: unknown) {
 *   if (error instanceof StateMachineError && error.code === 'STATE_MACHINE_INVALID_TRANSITION') {
 *     return { status: 200, headers: {}, body: '{"ignored":true}' }; // a late command: acknowledge it
 *   }
 *   return toHttpResponse(error); // 409, 404, 400, ... with `{ error: { code, message, field? } }`
 * }
 * ```
 */
export class StateMachineError extends CheckoutError {
  /** Stable machine-readable code, prefixed `STATE_MACHINE_`. */
  declare readonly code: StateMachineErrorCode;

  constructor(
    code: StateMachineErrorCode,
    httpStatus: number,
    message: string,
    options: { readonly field?: string; readonly cause?: unknown } = {},
  ) {
    super(code, message, { ...options, httpStatus });
  }
}

/** `defineMachine` got a definition that cannot work (unknown target, terminal state with transitions, ...). */
export class InvalidMachineError extends StateMachineError {
  /** Path of the offending part of the definition, e.g. `states.PAID.on.SHIP` (written by `fieldPath`). */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('STATE_MACHINE_INVALID_MACHINE', 500, `${field}: ${message}`, { field });
  }
}

/**
 * `createStateStore` got an option that cannot work (a bad table or schema name, a machine version that
 * does not fit the column), or the tables it names are not there (the migration did not run, the id
 * column has a type the store cannot check). `field` names the option. A fault of the server's
 * configuration: HTTP 500.
 */
export class StateMachineConfigError extends StateMachineError {
  /** The offending option, e.g. `schema`, `aggregateTable`, `machine.version`. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('STATE_MACHINE_INVALID_CONFIG', 500, `${field}: ${message}`, { field });
  }
}

/** An argument is invalid; `field` names it (`eventId`, `payload.lines[2].sku`). Nothing was written. */
export class StateMachineInputError extends StateMachineError {
  /** The offending argument, written by `fieldPath`: `eventId`, `payload.lines[2].sku`. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('STATE_MACHINE_INVALID_INPUT', 400, `${field}: ${message}`, { field });
  }
}

/** Why a transition was refused. */
export type InvalidTransitionReason = 'terminal-state' | 'event-not-allowed' | 'guard-rejected';

/** The event is not allowed in the current state (or its guard said no). Lists what is allowed. */
export class InvalidTransitionError extends StateMachineError {
  /** The machine's id. */
  readonly machineId: string;
  /** The state the event was applied to. */
  readonly from: string;
  /** The refused event. */
  readonly event: string;
  /** Events the current state accepts (before guards); empty for a terminal state. */
  readonly allowedEvents: readonly string[];
  /** Why the transition was refused. */
  readonly reason: InvalidTransitionReason;

  constructor(details: {
    machineId: string;
    from: string;
    event: string;
    allowedEvents: readonly string[];
    reason: InvalidTransitionReason;
  }) {
    const allowed = details.allowedEvents.length === 0 ? 'none' : details.allowedEvents.join(', ');
    super(
      'STATE_MACHINE_INVALID_TRANSITION',
      409,
      `${details.machineId}: event ${details.event} is not allowed in state ${details.from} ` +
        `(${details.reason}; allowed events: ${allowed})`,
    );
    this.machineId = details.machineId;
    this.from = details.from;
    this.event = details.event;
    this.allowedEvents = details.allowedEvents;
    this.reason = details.reason;
  }
}

/** The aggregate's version is not the `expectedVersion` the caller based its decision on. */
export class VersionConflictError extends StateMachineError {
  /** The aggregate id. */
  readonly id: string;
  /** The version the caller expected. */
  readonly expectedVersion: number;
  /** The version found in the store. */
  readonly actualVersion: number;

  constructor(id: string, expectedVersion: number, actualVersion: number) {
    super(
      'STATE_MACHINE_VERSION_CONFLICT',
      409,
      `${id}: expected version ${expectedVersion}, found ${actualVersion}; re-read the state and decide again`,
    );
    this.id = id;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** No aggregate with this id has a state (never created, or its row has no state yet). */
export class NotFoundError extends StateMachineError {
  /** The aggregate id. */
  readonly id: string;

  constructor(id: string) {
    super('STATE_MACHINE_NOT_FOUND', 404, `${id}: no state found`);
    this.id = id;
  }
}

/** `create` for an aggregate that already has a state, with a different event id. */
export class AlreadyExistsError extends StateMachineError {
  /** The aggregate id. */
  readonly id: string;

  constructor(id: string) {
    super('STATE_MACHINE_ALREADY_EXISTS', 409, `${id}: already has a state; use apply() to move it`);
    this.id = id;
  }
}

/** An event id already recorded for this aggregate is reused for a different change. */
export class EventIdReusedError extends StateMachineError {
  /** The aggregate id. */
  readonly id: string;
  /** The reused event id. */
  readonly eventId: string;

  constructor(id: string, eventId: string, recorded: string, requested: string) {
    super(
      'STATE_MACHINE_EVENT_ID_REUSED',
      422,
      `${id}: event id ${eventId} was already used for ${recorded}, cannot reuse it for ${requested}`,
    );
    this.id = id;
    this.eventId = eventId;
  }
}

/** A stored row holds a state the machine does not define (e.g. a state removed in a newer machine version). */
export class UnknownStateError extends StateMachineError {
  /** The aggregate id. */
  readonly id: string;
  /** The state found in the row. */
  readonly state: string;

  constructor(id: string, state: string, machineId: string, machineVersion: number) {
    super(
      'STATE_MACHINE_UNKNOWN_STATE',
      500,
      `${id}: stored state ${JSON.stringify(state)} is not a state of ${machineId} v${machineVersion}; ` +
        'repair it with force() or migrate the rows',
    );
    this.id = id;
    this.state = state;
  }
}
