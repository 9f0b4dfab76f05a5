import { CheckoutError, type CheckoutErrorOptions, type ErrorDetail } from '@checkout/core';

/** Stable codes of every error `@checkout/outbox` throws. Switch on these, not on messages. */
export type OutboxErrorCode =
  | 'OUTBOX_INVALID_CONFIG'
  | 'OUTBOX_INVALID_INPUT'
  | 'OUTBOX_MESSAGE_TOO_LARGE'
  | 'OUTBOX_NOT_IN_TRANSACTION'
  | 'OUTBOX_UNKNOWN_DESTINATION'
  | 'OUTBOX_RELAY_STATE'
  | 'OUTBOX_PUBLISH_TIMEOUT';

/**
 * Base class of every error thrown by `@checkout/outbox`: a `CheckoutError` of `@checkout/core`
 * (`code`, `httpStatus`, `field`; map it to an HTTP answer with core's `toHttpResponse`).
 *
 * @example
 * ```ts
 * import { createOutbox, OutboxError } from '@checkout/outbox';
 *
 * try {
 *   createOutbox({ table: 'bad name' });
 * } catch (error) {
 *   if (error instanceof OutboxError && error.code === 'OUTBOX_INVALID_CONFIG') console.error(error.field); // 'table'
 * }
 * ```
 */
export class OutboxError extends CheckoutError {
  /** Stable machine-readable code. */
  declare readonly code: OutboxErrorCode;

  constructor(code: OutboxErrorCode, message: string, options?: CheckoutErrorOptions) {
    super(code, message, options);
  }
}

/**
 * An option (schema or table name, timeout, batch size, backoff, ...) is not usable: `field` names
 * it (`table`, `backoff.maxMs`, `cleanup.retentionMs`). Thrown when the component is created.
 * HTTP 500 (a fault of the server's configuration).
 */
export class OutboxConfigError extends OutboxError {
  /** The option at fault, e.g. `table` or `claimTimeoutMs`. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('OUTBOX_INVALID_CONFIG', `${field}: ${message}`, { field, httpStatus: 500 });
  }
}

/**
 * An argument is malformed: a message given to `enqueue` (`field` is its path, e.g.
 * `messages[2].groupKey` or `messages[0].attributes["trace id"]`) or a `requeueDead` filter.
 * Nothing was written, no SQL ran. HTTP 400.
 */
export class OutboxInputError extends OutboxError {
  /** Path of the value at fault, e.g. `messages[2].groupKey`. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('OUTBOX_INVALID_INPUT', `${field}: ${message}`, { field, httpStatus: 400 });
  }
}

/**
 * A message is larger than the configured limit (SQS: 1 MiB by default). Nothing was written.
 * HTTP 413; the body of `toHttpResponse` adds `sizeBytes` and `limitBytes`.
 */
export class OutboxMessageTooLargeError extends OutboxError {
  /** Path of the message at fault, e.g. `messages[0]`. */
  declare readonly field: string;
  /** Size in bytes as SQS counts it (body + attribute names, types and values). */
  readonly sizeBytes: number;
  /** The configured limit. */
  readonly limitBytes: number;

  constructor(field: string, sizeBytes: number, limitBytes: number) {
    super('OUTBOX_MESSAGE_TOO_LARGE', `${field}: message is ${sizeBytes} bytes, the limit is ${limitBytes}`, {
      field,
      httpStatus: 413,
    });
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /** `{ sizeBytes, limitBytes }`, added to the HTTP error body. */
  override responseDetails(): Readonly<Record<string, ErrorDetail>> {
    return { sizeBytes: this.sizeBytes, limitBytes: this.limitBytes };
  }
}

/**
 * `enqueue` was called with a `Kysely` instance instead of a `Transaction`. Nothing was written.
 * HTTP 500 (a programming error, not the request's fault).
 */
export class OutboxNotInTransactionError extends OutboxError {
  constructor() {
    super(
      'OUTBOX_NOT_IN_TRANSACTION',
      'enqueue needs the caller transaction (db.transaction().execute(trx => enqueue(trx, ...))): ' +
        'the outbox row must commit or roll back with your business write',
      { httpStatus: 500 },
    );
  }
}

/**
 * The publisher cannot map a message's logical destination to a queue. Never thrown: its text is the
 * row's outcome (`last_error`); the row retries, then goes dead. HTTP 500.
 */
export class OutboxUnknownDestinationError extends OutboxError {
  /** The logical destination name. */
  readonly destination: string;

  constructor(destination: string) {
    super('OUTBOX_UNKNOWN_DESTINATION', `no queue configured for destination ${JSON.stringify(destination)}`, {
      httpStatus: 500,
    });
    this.destination = destination;
  }
}

/** A relay method was called in a state that does not allow it (e.g. `start()` twice). HTTP 500. */
export class OutboxRelayStateError extends OutboxError {
  constructor(message: string) {
    super('OUTBOX_RELAY_STATE', message, { httpStatus: 500 });
  }
}

/**
 * A publish call gave no outcome before the round's deadline (half of `claimTimeoutMs`): the
 * publisher hung or ignored the abort signal. Its rows count an attempt and are retried (the call
 * may still have reached the queue: at least once). Never thrown: reported to `observer.error`.
 * HTTP 500 (it never reaches a request; the relay retries by itself).
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
      { httpStatus: 500 },
    );
    this.ids = ids;
    this.waitedMs = waitedMs;
  }
}
