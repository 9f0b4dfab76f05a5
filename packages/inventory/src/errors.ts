import { CheckoutError, type CheckoutErrorOptions, type ErrorDetail } from '@checkout/core';
import type { ReservationStatus } from './reservations/reservation.js';

/** Stable codes of every error `@checkout/inventory` throws. Switch on these, not on messages. */
export type InventoryErrorCode =
  | 'INVENTORY_INVALID_INPUT'
  | 'INVENTORY_INVALID_CONFIG'
  | 'INVENTORY_TOO_MANY_LINES'
  | 'INVENTORY_RESERVATION_NOT_FOUND'
  | 'INVENTORY_RESERVATION_NOT_PENDING'
  | 'INVENTORY_RESERVATION_MISMATCH'
  | 'INVENTORY_TRANSACTION_CONTENTION'
  | 'INVENTORY_STOCK_UNDERFLOW'
  | 'INVENTORY_CART_TOO_LARGE'
  | 'INVENTORY_CORRUPT_RECORD';

/**
 * Base class of every error thrown by `@checkout/inventory`: a `CheckoutError` (from
 * `@checkout/core`) with an {@link InventoryErrorCode}, an `httpStatus` and, for bad input, the
 * `field` at fault. Map it to an HTTP answer with core's `toHttpResponse`.
 *
 * @example
 * ```ts
 * import { toHttpResponse } from '@checkout/core';
 * import { InventoryError } from '@checkout/inventory';
 *
 * function answer(error: unknown) {
 *   if (error instanceof InventoryError && error.code === 'INVENTORY_RESERVATION_NOT_FOUND') return { status: 404 };
 *   return toHttpResponse(error);
 * }
 * ```
 */
export class InventoryError extends CheckoutError {
  /** Stable machine-readable code, prefixed `INVENTORY_`. */
  declare readonly code: InventoryErrorCode;

  constructor(code: InventoryErrorCode, message: string, options: CheckoutErrorOptions = {}) {
    super(code, message, options);
  }
}

/** An argument failed validation (400); `field` names it (`lines[2].quantity`). Nothing was written. */
export class InventoryInputError extends InventoryError {
  /** The offending argument, e.g. `lines[2].quantity`, `options.holdMs`. */
  declare readonly field: string;

  constructor(field: string, problem: string) {
    super('INVENTORY_INVALID_INPUT', `Invalid ${field}: ${problem}`, { httpStatus: 400, field });
  }
}

/**
 * An option of `createInventory` or `createCartSnapshotStore` is invalid (thrown at creation), or the
 * `now` clock returned something that is not epoch milliseconds (thrown by the call, before any
 * request). A fault of the deployment, not of the request: 500. `field` names the option
 * (`backoff.maxMs`).
 */
export class InventoryConfigError extends InventoryError {
  /** The offending option, e.g. `tableName`, `backoff.maxMs`. */
  declare readonly field: string;

  constructor(field: string, problem: string) {
    super('INVENTORY_INVALID_CONFIG', `Invalid option ${field}: ${problem}`, { httpStatus: 500, field });
  }
}

/**
 * The order has more distinct SKUs than one `TransactWriteItems` call can hold (100 actions: one per
 * SKU plus the reservation item). Rejected rather than split, so a reservation stays all-or-nothing.
 * 400, `field` `lines`; the HTTP body adds `maxLines`.
 */
export class TooManyLinesError extends InventoryError {
  /** Distinct SKUs in the rejected order. */
  readonly lineCount: number;
  /** The most distinct SKUs one reservation may hold. */
  readonly maxLines: number;

  constructor(lineCount: number, maxLines: number) {
    super(
      'INVENTORY_TOO_MANY_LINES',
      `Invalid lines: ${lineCount} distinct SKUs, at most ${maxLines} fit in one atomic reservation`,
      { httpStatus: 400, field: 'lines' },
    );
    this.lineCount = lineCount;
    this.maxLines = maxLines;
  }

  override responseDetails(): Readonly<Record<string, ErrorDetail>> {
    return { lineCount: this.lineCount, maxLines: this.maxLines };
  }
}

/** No reservation exists for the order (never reserved, or deleted by TTL after its retention). 404. */
export class ReservationNotFoundError extends InventoryError {
  /** The order that has no reservation. */
  readonly orderId: string;

  constructor(orderId: string) {
    super('INVENTORY_RESERVATION_NOT_FOUND', `No reservation for order ${JSON.stringify(orderId)}`, {
      httpStatus: 404,
    });
    this.orderId = orderId;
  }
}

/**
 * The reservation is in a state that forbids the operation, e.g. committing a released reservation.
 * 409; the HTTP body adds the reservation's `status`.
 */
export class ReservationStateError extends InventoryError {
  /** The order whose reservation was asked to move. */
  readonly orderId: string;
  /** The operation that was refused. */
  readonly operation: 'commit' | 'release';
  /** The reservation's current status. */
  readonly status: ReservationStatus;

  constructor(orderId: string, operation: 'commit' | 'release', status: ReservationStatus) {
    super(
      'INVENTORY_RESERVATION_NOT_PENDING',
      `Cannot ${operation} the reservation of order ${JSON.stringify(orderId)}: it is ${status}`,
      { httpStatus: 409 },
    );
    this.orderId = orderId;
    this.operation = operation;
    this.status = status;
  }

  override responseDetails(): Readonly<Record<string, ErrorDetail>> {
    return { status: this.status };
  }
}

/** `reserve` was called again for an order whose existing reservation holds different lines. 422. */
export class ReservationMismatchError extends InventoryError {
  /** The order whose existing reservation differs from the request. */
  readonly orderId: string;

  constructor(orderId: string) {
    super(
      'INVENTORY_RESERVATION_MISMATCH',
      `Order ${JSON.stringify(orderId)} already has a reservation with different lines; release it before reserving others`,
      { httpStatus: 422 },
    );
    this.orderId = orderId;
  }
}

/**
 * Transaction conflicts (other writers on the same items), throttling or server errors outlasted
 * the bounded retries (`maxAttempts`). After conflicts nothing was written; after server errors the
 * last attempt may or may not have been applied. Either way, retrying the same order later is safe:
 * a `reserve` retry replays an applied reservation, a `commit`/`release` retry finds it settled.
 * 503 with `retryAfterSeconds` (the backoff ceiling `backoff.maxMs` in whole seconds, at least 1).
 */
export class TransactionContentionError extends InventoryError {
  /** How many transactions (or batch reads) were attempted. */
  readonly attempts: number;

  constructor(operation: string, attempts: number, retryAfterSeconds: number, cause?: unknown) {
    super(
      'INVENTORY_TRANSACTION_CONTENTION',
      `${operation} gave up after ${attempts} attempts (conflicts or server errors)`,
      { httpStatus: 503, retryAfterSeconds, cause },
    );
    this.attempts = attempts;
  }
}

/** `adjustStock` would take a SKU's available count below zero (409). Nothing was written. */
export class StockUnderflowError extends InventoryError {
  /** The SKU that would go negative. */
  readonly sku: string;
  /** Units available when the adjustment was refused (0 for an unknown SKU). */
  readonly available: number;

  constructor(sku: string, delta: number, available: number) {
    super(
      'INVENTORY_STOCK_UNDERFLOW',
      `Cannot adjust ${JSON.stringify(sku)} by ${delta}: only ${available} available`,
      { httpStatus: 409, field: 'delta' },
    );
    this.sku = sku;
    this.available = available;
  }

  override responseDetails(): Readonly<Record<string, ErrorDetail>> {
    return { available: this.available };
  }
}

/**
 * The serialized cart would not fit in a DynamoDB item (413, `field` `cart`; the HTTP body adds
 * `maxBytes`). Nothing was written.
 */
export class CartTooLargeError extends InventoryError {
  /** Size of the serialized cart in bytes. */
  readonly bytes: number;
  /** The largest serialized cart accepted. */
  readonly maxBytes: number;

  constructor(bytes: number, maxBytes: number) {
    super('INVENTORY_CART_TOO_LARGE', `Invalid cart: serialized size ${bytes} bytes exceeds ${maxBytes}`, {
      httpStatus: 413,
      field: 'cart',
    });
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }

  override responseDetails(): Readonly<Record<string, ErrorDetail>> {
    return { bytes: this.bytes, maxBytes: this.maxBytes };
  }
}

/**
 * An item read back from the table does not have the expected shape (500); `field` names the
 * attribute (`lines[0].quantity`).
 */
export class CorruptRecordError extends InventoryError {
  /** The attribute that failed to parse. */
  declare readonly field: string;

  constructor(field: string, problem: string) {
    super('INVENTORY_CORRUPT_RECORD', `Stored record is corrupt: ${field} ${problem}`, { field });
  }
}
