import { CheckoutError, type ErrorDetail } from '@checkout/core';
import { boundEcho, MAX_ECHO_CHARS, MAX_LISTED_ISSUES } from './api/bounded-echo.js';

/** Stable codes of the example service's own errors (the packages' errors carry their own). */
export type CheckoutServiceErrorCode =
  | 'INVALID_CART'
  | 'INVALID_REQUEST'
  | 'UNAUTHENTICATED'
  | 'ORDER_NOT_FOUND'
  | 'UNKNOWN_SKU'
  | 'CURRENCY_MISMATCH'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_THROTTLED'
  | 'MISSING_ENVIRONMENT';

/**
 * Base class of the example service's errors: a `CheckoutError` (core), so `toHttpResponse` answers
 * them like every package's errors; `httpStatus` is what the API answers.
 */
export class CheckoutServiceError extends CheckoutError {
  declare readonly code: CheckoutServiceErrorCode;

  constructor(
    code: CheckoutServiceErrorCode,
    httpStatus: number,
    message: string,
    options?: { readonly cause?: unknown; readonly retryAfterSeconds?: number },
  ) {
    super(code, message, {
      httpStatus,
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
      ...(options?.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
    });
  }
}

/** One bad field of a request: where (`lines.0.quantity`, `Idempotency-Key`, `orderId`) and why. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Base of the 400s that name bad fields. What the client sent is echoed in bounded form only: at
 * most {@link MAX_LISTED_ISSUES} issues (the rest counted in `moreIssues`), each path and message cut
 * short, so the error body stays small whatever the request held.
 */
export class InvalidInputError extends CheckoutServiceError {
  /** The first issues, bounded. */
  readonly issues: readonly InputIssue[];
  /** How many more issues there were (not listed). */
  readonly moreIssues: number;

  constructor(code: 'INVALID_CART' | 'INVALID_REQUEST', what: string, issues: readonly InputIssue[]) {
    const listed = issues
      .slice(0, MAX_LISTED_ISSUES)
      .map((issue) => ({ path: boundEcho(issue.path, 2 * MAX_ECHO_CHARS), message: boundEcho(issue.message, 200) }));
    const moreIssues = issues.length - listed.length;
    const summary = listed.map((i) => `${i.path}: ${i.message}`).join('; ');
    // The summary is cut before the count, so "(and N more)" always survives.
    const more = moreIssues > 0 ? ` (and ${moreIssues} more)` : '';
    // 400 + the count stay within core's 500-character message bound, so "(and N more)" survives.
    super(code, 400, `${what}: ${boundEcho(summary, 400)}${more}`);
    this.issues = listed;
    this.moreIssues = moreIssues;
  }

  /** The listed issues (and the count of the others) in the HTTP error body. */
  override responseDetails(): Readonly<Record<string, ErrorDetail>> {
    const issues = this.issues.map((issue) => ({ path: issue.path, message: issue.message }));
    return this.moreIssues > 0 ? { issues, moreIssues: this.moreIssues } : { issues };
  }
}

/** The request body is not a valid cart; `issues` names each bad field (bounded). HTTP 400. */
export class InvalidCartError extends InvalidInputError {
  constructor(issues: readonly InputIssue[]) {
    super('INVALID_CART', 'invalid cart', issues);
  }
}

/** A header (`Idempotency-Key`) or path parameter (`orderId`) is missing or malformed; `issues` names it. HTTP 400. */
export class InvalidRequestError extends InvalidInputError {
  constructor(issues: readonly InputIssue[]) {
    super('INVALID_REQUEST', 'invalid request', issues);
  }
}

/**
 * No usable principal: the authorizer passed none (or an empty or malformed one). The request is
 * refused before anything runs; there is no shared fallback identity. HTTP 401.
 */
export class UnauthenticatedError extends CheckoutServiceError {
  constructor(reason: string) {
    super('UNAUTHENTICATED', 401, `authentication required: ${reason}`);
  }
}

/**
 * No order with this id belongs to the caller: it does not exist or another principal placed it.
 * Both answer the same body (it does not repeat the id), so a caller cannot probe other tenants' ids. HTTP 404.
 */
export class OrderNotFoundError extends CheckoutServiceError {
  constructor() {
    super('ORDER_NOT_FOUND', 404, 'order not found');
  }
}

/** A cart line names a SKU the catalog does not sell. */
export class UnknownSkuError extends CheckoutServiceError {
  readonly sku: string;

  constructor(sku: string) {
    super('UNKNOWN_SKU', 422, `unknown SKU ${JSON.stringify(boundEcho(sku))}`);
    this.sku = sku;
  }
}

/** The cart's currency is not the catalog's. */
export class CurrencyMismatchError extends CheckoutServiceError {
  constructor(cartCurrency: string, catalogCurrency: string) {
    super(
      'CURRENCY_MISMATCH',
      422,
      `cart currency ${boundEcho(cartCurrency)} is not the catalog's ${boundEcho(catalogCurrency)}`,
    );
  }
}

/**
 * The payment provider did not answer in time or answered with a server error: the outcome is
 * unknown (it may have charged). Retry with the SAME provider request id.
 */
export class ProviderUnavailableError extends CheckoutServiceError {
  constructor(detail: string, cause?: unknown) {
    super('PROVIDER_UNAVAILABLE', 503, `payment provider unavailable: ${detail}`, { cause });
  }
}

/**
 * The payment provider refused the call for its rate limit (HTTP 429) before doing anything: retry
 * later with the same provider request id. Seen in a run, it means a stage's `perSecond` is set
 * above what the provider accepts (`topology.ts`).
 */
export class ProviderThrottledError extends CheckoutServiceError {
  /** `retryAfterSeconds`: what the provider asked to wait (`Retry-After`). */
  constructor(retryAfterSeconds: number) {
    super('PROVIDER_THROTTLED', 503, `payment provider throttled the call: retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

/**
 * A Lambda entry started without an environment variable its deployment sets (`CHECKOUT_DB_HOST`,
 * `CHECKOUT_QUEUE_URL`, ...): thrown at cold start, before any event is handled, naming the variable.
 */
export class MissingEnvironmentError extends CheckoutServiceError {
  /** The variable that is missing or empty. */
  readonly variable: string;

  constructor(variable: string, handler: string) {
    super(
      'MISSING_ENVIRONMENT',
      500,
      `${handler}: environment variable ${variable} is missing or empty (the CDK construct of this function sets it)`,
    );
    this.variable = variable;
  }
}
