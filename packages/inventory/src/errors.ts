import type { ReservationStatus } from './reservations/reservation.js';

/** Stable codes of every error `@checkout/inventory` throws. Switch on these, not on messages. */
export type InventoryErrorCode =
  | 'INVALID_INPUT'
  | 'TOO_MANY_LINES'
  | 'RESERVATION_NOT_FOUND'
  | 'RESERVATION_NOT_PENDING'
  | 'RESERVATION_MISMATCH'
  | 'TRANSACTION_CONTENTION'
  | 'STOCK_UNDERFLOW'
  | 'CART_TOO_LARGE'
  | 'CORRUPT_RECORD';

/** Base class of every error thrown by `@checkout/inventory`. */
export class InventoryError extends Error {
  /** Stable machine-readable code. */
  readonly code: InventoryErrorCode;
  /** The HTTP status an API would answer with for this error. */
  readonly httpStatus: number;

  constructor(code: InventoryErrorCode, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** An argument failed validation; `field` names it. Nothing was written. */
export class InvalidInputError extends InventoryError {
  /** The offending argument or option, e.g. `lines[2].quantity`. */
  readonly field: string;

  constructor(field: string, problem: string) {
    super('INVALID_INPUT', 400, `Invalid ${field}: ${problem}`);
    this.field = field;
  }
}

/**
 * The order has more distinct SKUs than one `TransactWriteItems` call can hold (100 actions: one per
 * SKU plus the reservation item). Rejected rather than split, so a reservation stays all-or-nothing.
 */
export class TooManyLinesError extends InventoryError {
  /** Distinct SKUs in the rejected order. */
  readonly lineCount: number;
  /** The most distinct SKUs one reservation may hold. */
  readonly maxLines: number;

  constructor(lineCount: number, maxLines: number) {
    super(
      'TOO_MANY_LINES',
      400,
      `Invalid lines: ${lineCount} distinct SKUs, at most ${maxLines} fit in one atomic reservation`,
    );
    this.lineCount = lineCount;
    this.maxLines = maxLines;
  }
}

/** No reservation exists for the order (never reserved, or deleted by TTL after its retention). */
export class ReservationNotFoundError extends InventoryError {
  /** The order that has no reservation. */
  readonly orderId: string;

  constructor(orderId: string) {
    super('RESERVATION_NOT_FOUND', 404, `No reservation for order ${JSON.stringify(orderId)}`);
    this.orderId = orderId;
  }
}

/** The reservation is in a state that forbids the operation, e.g. committing a released reservation. */
export class ReservationStateError extends InventoryError {
  /** The order whose reservation was asked to move. */
  readonly orderId: string;
  /** The operation that was refused. */
  readonly operation: 'commit' | 'release';
  /** The reservation's current status. */
  readonly status: ReservationStatus;

  constructor(orderId: string, operation: 'commit' | 'release', status: ReservationStatus) {
    super(
      'RESERVATION_NOT_PENDING',
      409,
      `Cannot ${operation} the reservation of order ${JSON.stringify(orderId)}: it is ${status}`,
    );
    this.orderId = orderId;
    this.operation = operation;
    this.status = status;
  }
}

/** `reserve` was called again for an order whose existing reservation holds different lines. */
export class ReservationMismatchError extends InventoryError {
  /** The order whose existing reservation differs from the request. */
  readonly orderId: string;

  constructor(orderId: string) {
    super(
      'RESERVATION_MISMATCH',
      422,
      `Order ${JSON.stringify(orderId)} already has a reservation with different lines; release it before reserving others`,
    );
    this.orderId = orderId;
  }
}

/**
 * Transaction conflicts (other writers on the same items), throttling or server errors outlasted
 * the bounded retries. After conflicts nothing was written; after server errors the last attempt may
 * or may not have been applied. Either way, retrying the same order later is safe: a `reserve`
 * retry replays an applied reservation, a `commit`/`release` retry finds it settled.
 */
export class TransactionContentionError extends InventoryError {
  /** How many transactions were attempted. */
  readonly attempts: number;

  constructor(operation: string, attempts: number, cause?: unknown) {
    super(
      'TRANSACTION_CONTENTION',
      503,
      `${operation} gave up after ${attempts} attempts (conflicts or server errors)`,
      {
        cause,
      },
    );
    this.attempts = attempts;
  }
}

/** `adjustStock` would take a SKU's available count below zero. Nothing was written. */
export class StockUnderflowError extends InventoryError {
  /** The SKU that would go negative. */
  readonly sku: string;
  /** Units available when the adjustment was refused (0 for an unknown SKU). */
  readonly available: number;

  constructor(sku: string, delta: number, available: number) {
    super('STOCK_UNDERFLOW', 409, `Cannot adjust ${JSON.stringify(sku)} by ${delta}: only ${available} available`);
    this.sku = sku;
    this.available = available;
  }
}

/** The serialized cart would not fit in a DynamoDB item. Nothing was written. */
export class CartTooLargeError extends InventoryError {
  /** Size of the serialized cart in bytes. */
  readonly bytes: number;
  /** The largest serialized cart accepted. */
  readonly maxBytes: number;

  constructor(bytes: number, maxBytes: number) {
    super('CART_TOO_LARGE', 413, `Invalid cart: serialized size ${bytes} bytes exceeds ${maxBytes}`);
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/** An item read back from the table does not have the expected shape; `field` names what is wrong. */
export class CorruptRecordError extends InventoryError {
  /** The attribute that failed to parse. */
  readonly field: string;

  constructor(field: string, problem: string) {
    super('CORRUPT_RECORD', 500, `Stored record is corrupt: ${field} ${problem}`);
    this.field = field;
  }
}
