import { CheckoutError } from '@checkout/core';

/** Codes of the recipes' own errors (the packages' errors carry theirs). */
export type RecipeErrorCode = 'UNAUTHENTICATED' | 'INVALID_REQUEST' | 'ORDER_NOT_FOUND';

/**
 * The recipes' errors are `CheckoutError`s, so one `toHttpResponse` (core) answers them and every
 * package's errors alike: no hand-written mapper in the apps.
 */
export class RecipeError extends CheckoutError {
  declare readonly code: RecipeErrorCode;

  constructor(code: RecipeErrorCode, httpStatus: number, message: string, field?: string) {
    super(code, message, { httpStatus, ...(field === undefined ? {} : { field }) });
  }
}

/** No usable principal (the `x-principal` stub header here, a verified token in production). HTTP 401. */
export class UnauthenticatedError extends RecipeError {
  constructor() {
    super('UNAUTHENTICATED', 401, 'authentication required');
  }
}

/** A header or a body field is missing or malformed; `field` names it. HTTP 400. */
export class InvalidRequestError extends RecipeError {
  constructor(field: string, message: string) {
    super('INVALID_REQUEST', 400, `${field}: ${message}`, field);
  }
}

/** No order with this id belongs to the caller: unknown, or placed by another principal (same answer). HTTP 404. */
export class OrderNotFoundError extends RecipeError {
  constructor() {
    super('ORDER_NOT_FOUND', 404, 'order not found');
  }
}
