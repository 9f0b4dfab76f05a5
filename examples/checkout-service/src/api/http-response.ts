import { idempotencyErrorResponse } from '@checkout/idempotency';
import { StateMachineError } from '@checkout/state-machine';
import { CheckoutServiceError, InvalidCartError } from '../errors.js';

/** A framework-free HTTP answer; adapters (Lambda, Hono, node:http) copy it onto their response. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** JSON response helper. */
export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body };
}

/**
 * Maps the typed errors of the service and the packages to 4xx answers (the body names the code and,
 * for a bad cart, every bad field). Anything else is not ours to explain: `undefined` (the adapter
 * answers 500 and logs it).
 */
export function errorResponse(error: unknown): HttpResponse | undefined {
  if (error instanceof InvalidCartError) {
    return json(error.httpStatus, { error: { code: error.code, message: error.message, issues: error.issues } });
  }
  if (error instanceof CheckoutServiceError && error.httpStatus < 500) {
    return json(error.httpStatus, { error: { code: error.code, message: error.message } });
  }
  if (error instanceof StateMachineError && error.httpStatus < 500) {
    return json(error.httpStatus, { error: { code: error.code, message: error.message } });
  }
  const idempotency = idempotencyErrorResponse(error);
  if (idempotency !== undefined) {
    return {
      status: idempotency.status,
      headers: idempotency.headers,
      body: JSON.parse(idempotency.body) as unknown,
    };
  }
  return undefined;
}
