/** Stable codes of every error `@checkout/state-machine` throws. */
export type StateMachineErrorCode =
  | 'INVALID_MACHINE'
  | 'INVALID_TRANSITION'
  | 'VERSION_CONFLICT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'EVENT_ID_REUSED'
  | 'INVALID_INPUT'
  | 'UNKNOWN_STATE';

/** Base class of every error thrown by `@checkout/state-machine`; switch on `code`, not on the message. */
export class StateMachineError extends Error {
  /** Stable machine-readable code. */
  readonly code: StateMachineErrorCode;
  /** The HTTP status an API should answer with when this error reaches it. */
  readonly httpStatus: number;

  constructor(code: StateMachineErrorCode, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** `defineMachine` got a definition that cannot work (unknown target, terminal state with transitions, ...). */
export class InvalidMachineError extends StateMachineError {
  /** Dotted path of the offending part of the definition, e.g. `states.PAID.on.SHIP`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_MACHINE', 500, `${field}: ${message}`);
    this.field = field;
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
      'INVALID_TRANSITION',
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
      'VERSION_CONFLICT',
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
    super('NOT_FOUND', 404, `${id}: no state found`);
    this.id = id;
  }
}

/** `create` for an aggregate that already has a state, with a different event id. */
export class AlreadyExistsError extends StateMachineError {
  /** The aggregate id. */
  readonly id: string;

  constructor(id: string) {
    super('ALREADY_EXISTS', 409, `${id}: already has a state; use apply() to move it`);
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
      'EVENT_ID_REUSED',
      422,
      `${id}: event id ${eventId} was already used for ${recorded}, cannot reuse it for ${requested}`,
    );
    this.id = id;
    this.eventId = eventId;
  }
}

/** An argument or option is invalid; `field` names it. Nothing was written. */
export class InvalidInputError extends StateMachineError {
  /** The offending field, e.g. `eventId` or `schema`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_INPUT', 400, `${field}: ${message}`);
    this.field = field;
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
      'UNKNOWN_STATE',
      500,
      `${id}: stored state ${JSON.stringify(state)} is not a state of ${machineId} v${machineVersion}; ` +
        'repair it with force() or migrate the rows',
    );
    this.id = id;
    this.state = state;
  }
}
