/** A JSON value, as an error adds it to its HTTP body. */
export type ErrorDetail =
  | string
  | number
  | boolean
  | null
  | readonly ErrorDetail[]
  | { readonly [key: string]: ErrorDetail };

/** What a {@link CheckoutError} carries besides its code and message. */
export interface CheckoutErrorOptions {
  /** HTTP status a caller may answer with. Default 500 (a fault of the server or of its configuration). */
  readonly httpStatus?: number;
  /** Path of the bad field, written with {@link fieldPath} (e.g. `lines[2].quantity`). */
  readonly field?: string;
  /** Whole seconds after which a retry may succeed (`Retry-After`), for errors that are worth retrying. */
  readonly retryAfterSeconds?: number;
  /** The error that caused this one. */
  readonly cause?: unknown;
}

// Symbol.for: the brand is shared by every copy of @checkout/core in one process, so
// isCheckoutError holds even when two package versions each bring their own copy.
const BRAND = Symbol.for('@checkout/core/CheckoutError');

/**
 * Base of every error a checkout-kit package throws. Each package has its own base extending this
 * one (`OutboxError`, `IdempotencyError`, ...) with a union of its codes.
 *
 * - `code` is stable and prefixed by the package (`OUTBOX_`, `IDEMPOTENCY_`, ...): switch on it,
 *   never on the message.
 * - `httpStatus` is the answer a caller may give (4xx: the request is at fault; 5xx: the server).
 * - `field` names the bad input in one path format (see {@link fieldPath}).
 * - `retryAfterSeconds` is set when a retry later may succeed.
 *
 * @example
 * ```ts
 * import { CheckoutError } from '@checkout/core';
 *
 * class ShippingError extends CheckoutError {
 *   constructor(message: string) {
 *     super('SHIPPING_UNAVAILABLE', message, { httpStatus: 503, retryAfterSeconds: 30 });
 *   }
 * }
 * const error = new ShippingError('carrier API down');
 * error.code; // 'SHIPPING_UNAVAILABLE'
 * ```
 */
export class CheckoutError extends Error {
  /** Stable machine-readable code, prefixed by the package that throws it. */
  readonly code: string;
  /** HTTP status a caller may answer with (500 when the fault is not the request's). */
  readonly httpStatus: number;
  /** Path of the bad field (`lines[2].quantity`), when one field is at fault. */
  readonly field: string | undefined;
  /** Whole seconds after which a retry may succeed, when retrying is worth it. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, message: string, options: CheckoutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * Extra keys of the HTTP error body (besides `code`, `message`, `field`), for 4xx answers only.
   * Override to add structured details (a list of issues, the shortages of a reservation).
   */
  responseDetails(): Readonly<Record<string, ErrorDetail>> | undefined {
    return undefined;
  }
}

Object.defineProperty(CheckoutError.prototype, BRAND, { value: true });

/**
 * Whether `value` is an error thrown by a checkout-kit package. Works across copies of
 * `@checkout/core` (where `instanceof` would not).
 */
export function isCheckoutError(value: unknown): value is CheckoutError {
  return value instanceof Error && Reflect.get(value, BRAND) === true;
}
