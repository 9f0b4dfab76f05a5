import { CheckoutError, fieldPath } from '@checkout/core';

/** Stable codes of every error `@checkout/idempotency` throws; switch on these, not on messages. */
export type IdempotencyErrorCode =
  | 'IDEMPOTENCY_KEY_INVALID'
  | 'IDEMPOTENCY_PAYLOAD_INVALID'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_LEASE_LOST'
  | 'IDEMPOTENCY_RESULT_TOO_LARGE'
  | 'IDEMPOTENCY_RESULT_UNSERIALIZABLE'
  | 'IDEMPOTENCY_RECORD_INVALID'
  | 'IDEMPOTENCY_INVALID_INPUT'
  | 'IDEMPOTENCY_INVALID_CONFIG';

/** What an {@link IdempotencyError} carries besides its code and message. */
interface IdempotencyErrorOptions {
  readonly httpStatus: number;
  readonly field?: string;
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/**
 * Base of every error thrown by `@checkout/idempotency`: a `CheckoutError` (from `@checkout/core`)
 * with an `IDEMPOTENCY_` code and an `httpStatus`. Answer an API caller with core's `toHttpResponse`.
 *
 * @example
 * ```ts
 * import { toHttpResponse } from '@checkout/core';
 * import { IdempotencyError } from '@checkout/idempotency';
 *
 * function answer(error: unknown) {
 *   if (error instanceof IdempotencyError && error.code === 'IDEMPOTENCY_IN_PROGRESS') {
 *     return toHttpResponse(error); // 409 with Retry-After
 *   }
 *   throw error;
 * }
 * ```
 */
export class IdempotencyError extends CheckoutError {
  /** Stable machine-readable code. */
  declare readonly code: IdempotencyErrorCode;

  constructor(code: IdempotencyErrorCode, message: string, options: IdempotencyErrorOptions) {
    super(code, message, options);
  }
}

/**
 * The idempotency key (or scope) is missing or malformed: not a string, empty, over 255 UTF-8 bytes,
 * an unpaired UTF-16 surrogate (DynamoDB and Postgres would store two such keys as one), U+0000 or
 * another control character. Nothing was written. HTTP 400, `field` is `key` or `scope`.
 */
export class IdempotencyKeyError extends IdempotencyError {
  /** Which input was wrong: `key` or `scope`. */
  declare readonly field: 'key' | 'scope';

  constructor(field: 'key' | 'scope', reason: string) {
    super('IDEMPOTENCY_KEY_INVALID', `Invalid idempotency ${field}: ${reason}`, { httpStatus: 400, field });
  }
}

/**
 * The part of the input used as fingerprint has no defined content: a cycle, a function, a symbol,
 * a class instance or another object that is not plain data (Map, Set, Date, bigint, typed arrays
 * are fingerprinted by content). The message names the path. Nothing was written. HTTP 400.
 */
export class IdempotencyPayloadError extends IdempotencyError {
  constructor(reason: string, cause?: unknown) {
    super('IDEMPOTENCY_PAYLOAD_INVALID', `Cannot fingerprint the request payload: ${reason}`, {
      httpStatus: 400,
      cause,
    });
  }
}

/**
 * Another attempt with the same key holds the lease and has not finished yet. HTTP 409;
 * `retryAfterSeconds` (the `Retry-After` of `toHttpResponse`) is the time left on that lease.
 */
export class IdempotencyInProgressError extends IdempotencyError {
  /** Whole seconds until the running attempt's lease expires (at least 1): a good `Retry-After`. */
  declare readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      'IDEMPOTENCY_IN_PROGRESS',
      `A request with this idempotency key is still in progress; retry after ${retryAfterSeconds}s`,
      { httpStatus: 409, retryAfterSeconds },
    );
  }
}

/** The key was used before with a different payload (fingerprint mismatch). HTTP 422. */
export class IdempotencyKeyReuseError extends IdempotencyError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different request payload', {
      httpStatus: 422,
    });
  }
}

/**
 * This attempt's lease expired and another attempt took the key over, so its result was not stored
 * (the newer attempt's record wins). The function did run: treat its side effects as those of a
 * duplicate. HTTP 409.
 */
export class IdempotencyLeaseLostError extends IdempotencyError {
  constructor() {
    super(
      'IDEMPOTENCY_LEASE_LOST',
      'The in-progress lease expired and another attempt took over this idempotency key; this result was not stored',
      { httpStatus: 409 },
    );
  }
}

/**
 * `fn` ran, but its serialized result does not fit the store (DynamoDB: 400 KB per item, or the
 * store's `maxItemBytes`). Like {@link IdempotencyResultUnserializableError}, the key is NOT
 * released: the record is completed with a small "result lost" mark, so a retry with the same key
 * gets this error again (until the record's TTL ends) instead of running `fn` a second time.
 * HTTP 500.
 */
export class IdempotencyResultTooLargeError extends IdempotencyError {
  /** Size of the item that would have been written, in bytes. */
  readonly bytes: number;
  /** The store's limit, in bytes. */
  readonly limitBytes: number;

  constructor(bytes: number, limitBytes: number, options?: { replayed?: boolean }) {
    super(
      'IDEMPOTENCY_RESULT_TOO_LARGE',
      options?.replayed === true
        ? `The first attempt with this idempotency key ran but its record would have been ${bytes} bytes, over the store's limit of ${limitBytes}, so its result was not stored; it does not run again until the record expires`
        : `The idempotency record would be ${bytes} bytes, over the store's limit of ${limitBytes}; the function ran, and the key is kept so it does not run again until the record expires`,
      { httpStatus: 500 },
    );
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * `fn` ran, but its result cannot be stored: the serializer threw (the default JSON one refuses a
 * bigint, Map, Set, cycle, function, symbol, NaN/Infinity or class instance instead of storing
 * something else) or made text the store would change (unpaired surrogate, U+0000). The record is
 * NOT released: it is completed with this failure, so a retry with the same key gets this error
 * again (until the record's TTL ends) instead of running `fn` a second time. In
 * `idempotentTransaction` the transaction (or savepoint) rolls back instead: `fn`'s writes are
 * undone, nothing is stored. HTTP 500.
 */
export class IdempotencyResultUnserializableError extends IdempotencyError {
  /** Why the result could not be stored (names the path of the bad value when known). */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown; replayed?: boolean }) {
    super(
      'IDEMPOTENCY_RESULT_UNSERIALIZABLE',
      options?.replayed === true
        ? `The first attempt with this idempotency key ran but its result could not be stored (${reason}); it does not run again until the record expires`
        : `The result cannot be stored (${reason}); the function ran, and the key is kept so it does not run again until the record expires`,
      { httpStatus: 500, cause: options?.cause },
    );
    this.reason = reason;
  }
}

/**
 * A record read back from the store failed validation (corrupted or written by something else).
 * `field` names the record's attribute or column. HTTP 500.
 */
export class IdempotencyRecordError extends IdempotencyError {
  /** The record field that failed. */
  declare readonly field: string;

  constructor(field: string, reason: string) {
    super('IDEMPOTENCY_RECORD_INVALID', `Stored idempotency record is invalid: ${field} ${reason}`, {
      httpStatus: 500,
      field,
    });
  }
}

/**
 * An argument of a store call is malformed (`store.acquire({ leaseToken: '' })`, a
 * `deleteExpired` limit that is not a positive integer). `field` names it (`request.leaseToken`).
 * Nothing was written. HTTP 400. (A bad key in a store request is an {@link IdempotencyKeyError}.)
 */
export class IdempotencyInputError extends IdempotencyError {
  /** The argument that was wrong. */
  declare readonly field: string;

  constructor(path: readonly (string | number)[], reason: string) {
    const field = fieldPath(...path);
    super('IDEMPOTENCY_INVALID_INPUT', `Invalid idempotency input ${field}: ${reason}`, { httpStatus: 400, field });
  }
}

/**
 * An option has a value the library cannot use (`field` names it: `ttlSeconds`, `table`). Thrown
 * when the function is wrapped or the store is created, before anything runs. Programming error,
 * HTTP 500.
 */
export class IdempotencyConfigError extends IdempotencyError {
  /** The option that was wrong. */
  declare readonly field: string;

  constructor(path: readonly (string | number)[], reason: string) {
    const field = fieldPath(...path);
    super('IDEMPOTENCY_INVALID_CONFIG', `Invalid idempotency option ${field}: ${reason}`, { httpStatus: 500, field });
  }
}
