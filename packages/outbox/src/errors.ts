/** Stable codes of every error `@checkout/outbox` throws. Switch on these, not on messages. */
export type OutboxErrorCode =
  | 'OUTBOX_INVALID_CONFIG'
  | 'OUTBOX_INVALID_MESSAGE'
  | 'OUTBOX_MESSAGE_TOO_LARGE'
  | 'OUTBOX_NOT_IN_TRANSACTION'
  | 'OUTBOX_UNKNOWN_DESTINATION'
  | 'OUTBOX_RELAY_STATE'
  | 'OUTBOX_PUBLISH_TIMEOUT';

/** Base class of every error thrown by `@checkout/outbox`. */
export class OutboxError extends Error {
  /** Stable machine-readable code. */
  readonly code: OutboxErrorCode;

  constructor(code: OutboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option (schema or table name, timeout, batch size, ...) is not usable. Names the option. */
export class InvalidOutboxConfigError extends OutboxError {
  /** The option at fault, e.g. `table` or `claimTimeoutMs`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('OUTBOX_INVALID_CONFIG', `${field}: ${message}`);
    this.field = field;
  }
}

/** A message given to `enqueue` is malformed. Nothing was written. */
export class InvalidOutboxMessageError extends OutboxError {
  /** Path of the field at fault, e.g. `messages[2].groupKey`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('OUTBOX_INVALID_MESSAGE', `${field}: ${message}`);
    this.field = field;
  }
}

/** A message is larger than the configured limit (SQS: 1 MiB by default). Nothing was written. */
export class OutboxMessageTooLargeError extends OutboxError {
  /** Path of the message at fault, e.g. `messages[0]`. */
  readonly field: string;
  /** Size in bytes as SQS counts it (body + attribute names, types and values). */
  readonly sizeBytes: number;
  /** The configured limit. */
  readonly limitBytes: number;

  constructor(field: string, sizeBytes: number, limitBytes: number) {
    super('OUTBOX_MESSAGE_TOO_LARGE', `${field}: message is ${sizeBytes} bytes, the limit is ${limitBytes}`);
    this.field = field;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** `enqueue` was called with a `Kysely` instance instead of a `Transaction`. Nothing was written. */
export class OutboxNotInTransactionError extends OutboxError {
  constructor() {
    super(
      'OUTBOX_NOT_IN_TRANSACTION',
      'enqueue needs the caller transaction (db.transaction().execute(trx => enqueue(trx, ...))): ' +
        'the outbox row must commit or roll back with your business write',
    );
  }
}

/** The publisher cannot map a message's logical destination to a queue. */
export class UnknownDestinationError extends OutboxError {
  /** The logical destination name. */
  readonly destination: string;

  constructor(destination: string) {
    super('OUTBOX_UNKNOWN_DESTINATION', `no queue configured for destination ${JSON.stringify(destination)}`);
    this.destination = destination;
  }
}

/** A relay method was called in a state that does not allow it (e.g. `start()` twice). */
export class OutboxRelayStateError extends OutboxError {
  constructor(message: string) {
    super('OUTBOX_RELAY_STATE', message);
  }
}

/**
 * A publish call gave no outcome before the round's deadline (half of `claimTimeoutMs`): the
 * publisher hung or ignored the abort signal. Its rows count an attempt and are retried (the call
 * may still have reached the queue: at least once). Reported to `observer.error`.
 */
export class OutboxPublishTimeoutError extends OutboxError {
  /** Outbox row ids of the call. */
  readonly ids: readonly string[];
  /** How long the relay waited (ms). */
  readonly waitedMs: number;

  constructor(ids: readonly string[], waitedMs: number) {
    super(
      'OUTBOX_PUBLISH_TIMEOUT',
      `publish of ${ids.length} row(s) gave no outcome within ${Math.round(waitedMs)} ms (the round's deadline); outcome unknown, retried`,
    );
    this.ids = ids;
    this.waitedMs = waitedMs;
  }
}
