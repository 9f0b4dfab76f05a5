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
  | 'IDEMPOTENCY_OPTIONS_INVALID';

/** Base class of every error thrown by `@checkout/idempotency`. */
export class IdempotencyError extends Error {
  /** Stable machine-readable code. */
  readonly code: IdempotencyErrorCode;
  /** The HTTP status this error maps to when it reaches an API caller. */
  readonly httpStatus: number;

  constructor(code: IdempotencyErrorCode, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/**
 * The idempotency key (or scope) is missing or malformed: not a string, empty, over 255 UTF-8 bytes,
 * an unpaired UTF-16 surrogate (DynamoDB and Postgres would store two such keys as one), U+0000 or
 * another control character. Nothing was written. HTTP 400.
 */
export class IdempotencyKeyError extends IdempotencyError {
  /** Which input was wrong: `key` or `scope`. */
  readonly field: 'key' | 'scope';

  constructor(field: 'key' | 'scope', reason: string) {
    super('IDEMPOTENCY_KEY_INVALID', 400, `Invalid idempotency ${field}: ${reason}`);
    this.field = field;
  }
}

/**
 * The part of the input used as fingerprint has no defined content: a cycle, a function, a symbol,
 * a class instance or another object that is not plain data (Map, Set, Date, bigint, typed arrays
 * are fingerprinted by content). The message names the path. Nothing was written. HTTP 400.
 */
export class IdempotencyPayloadError extends IdempotencyError {
  constructor(reason: string, cause?: unknown) {
    super('IDEMPOTENCY_PAYLOAD_INVALID', 400, `Cannot fingerprint the request payload: ${reason}`, { cause });
  }
}

/** Another attempt with the same key holds the lease and has not finished yet. HTTP 409 with `Retry-After`. */
export class IdempotencyInProgressError extends IdempotencyError {
  /** Seconds until the running attempt's lease expires (at least 1): a good `Retry-After`. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      'IDEMPOTENCY_IN_PROGRESS',
      409,
      `A request with this idempotency key is still in progress; retry after ${retryAfterSeconds}s`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The key was used before with a different payload (fingerprint mismatch). HTTP 422. */
export class IdempotencyKeyReuseError extends IdempotencyError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 422, 'This idempotency key was already used with a different request payload');
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
      409,
      'The in-progress lease expired and another attempt took over this idempotency key; this result was not stored',
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
      500,
      options?.replayed === true
        ? `The first attempt with this idempotency key ran but its record would have been ${bytes} bytes, over the store's limit of ${limitBytes}, so its result was not stored; it does not run again until the record expires`
        : `The idempotency record would be ${bytes} bytes, over the store's limit of ${limitBytes}; the function ran, and the key is kept so it does not run again until the record expires`,
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
      500,
      options?.replayed === true
        ? `The first attempt with this idempotency key ran but its result could not be stored (${reason}); it does not run again until the record expires`
        : `The result cannot be stored (${reason}); the function ran, and the key is kept so it does not run again until the record expires`,
      { cause: options?.cause },
    );
    this.reason = reason;
  }
}

/** A record read back from the store failed validation (corrupted or written by something else). HTTP 500. */
export class IdempotencyRecordError extends IdempotencyError {
  /** The record field that failed. */
  readonly field: string;

  constructor(field: string, reason: string) {
    super('IDEMPOTENCY_RECORD_INVALID', 500, `Stored idempotency record is invalid: ${field} ${reason}`);
    this.field = field;
  }
}

/** An option has a value the library cannot use (names the option). Programming error, HTTP 500. */
export class IdempotencyOptionsError extends IdempotencyError {
  /** The option that was wrong. */
  readonly option: string;

  constructor(option: string, reason: string) {
    super('IDEMPOTENCY_OPTIONS_INVALID', 500, `Invalid idempotency option ${option}: ${reason}`);
    this.option = option;
  }
}
