import { CheckoutError, type CheckoutErrorOptions } from '@checkout/core';

/**
 * Stable codes of `@checkout/console`. `CONSOLE_INVALID_CONFIG` is thrown by `createConsole`; the
 * others are the codes of the console's refusal pages (shown on the page and in the
 * `X-Console-Error` header), never thrown to the caller of `fetch`.
 */
export type ConsoleErrorCode =
  | 'CONSOLE_INVALID_CONFIG'
  | 'CONSOLE_INVALID_INPUT'
  | 'CONSOLE_UNAUTHORIZED'
  | 'CONSOLE_FORBIDDEN'
  | 'CONSOLE_CSRF_REJECTED'
  | 'CONSOLE_NOT_FOUND'
  | 'CONSOLE_METHOD_NOT_ALLOWED'
  | 'CONSOLE_ACTION_REFUSED'
  | 'CONSOLE_AUDIT_FAILED'
  | 'CONSOLE_UNAVAILABLE';

/**
 * Base class of every error of `@checkout/console` (a `CheckoutError` from `@checkout/core`).
 *
 * @example
 * ```ts
 * import { ConsoleError, createConsole } from '@checkout/console';
 *
 * try {
 *   createConsole({ authorize: () => undefined, audit: () => {}, csrfSecret: 'short' });
 * } catch (error) {
 *   if (error instanceof ConsoleError) console.log(error.code, error.field);
 * }
 * ```
 */
export class ConsoleError extends CheckoutError {
  /** Stable machine-readable code. */
  declare readonly code: ConsoleErrorCode;

  constructor(code: ConsoleErrorCode, message: string, options?: CheckoutErrorOptions) {
    super(code, message, options);
  }
}

/**
 * An option of `createConsole` is missing or invalid (code `CONSOLE_INVALID_CONFIG`, HTTP 500);
 * `field` names it (`csrfSecret`, `queues[1].name`).
 */
export class ConsoleConfigError extends ConsoleError {
  /** The option at fault. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('CONSOLE_INVALID_CONFIG', `${field}: ${message}`, { field, httpStatus: 500 });
  }
}

/**
 * A request's path, query or form field is invalid (code `CONSOLE_INVALID_INPUT`, HTTP 400):
 * answered with a 400 page naming the field, nothing read or written.
 */
export class ConsoleInputError extends ConsoleError {
  /** The request field at fault (`orderId`, `reason`). */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('CONSOLE_INVALID_INPUT', `${field}: ${message}`, { field, httpStatus: 400 });
  }
}
