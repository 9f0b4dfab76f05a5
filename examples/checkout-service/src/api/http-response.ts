import { toHttpResponse } from '@checkout/core';
import { IdempotencyError } from '@checkout/idempotency';
import { StateMachineError } from '@checkout/state-machine';
import { CheckoutServiceError, InvalidInputError } from '../errors.js';
import { boundEcho, MAX_MESSAGE_CHARS } from './bounded-echo.js';

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
 * A JSON error answer `{ error: { code, message } }`; the message is cut to
 * {@link MAX_MESSAGE_CHARS} (error bodies echo a bounded amount of what the client sent).
 */
export function errorJson(
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): HttpResponse {
  return json(status, { error: { code, message: boundEcho(message, MAX_MESSAGE_CHARS) } }, headers);
}

/**
 * Maps the typed errors of the service and the packages to 4xx answers: the body names the code
 * and, for a bad request or cart, the bad fields (at most a few listed, the rest counted in
 * `moreIssues`, every echoed name cut short). Anything else is not ours to explain: `undefined`
 * (the adapter answers 500 and logs it).
 */
export function errorResponse(error: unknown): HttpResponse | undefined {
  if (error instanceof InvalidInputError) {
    const body = {
      code: error.code,
      message: boundEcho(error.message, MAX_MESSAGE_CHARS),
      issues: error.issues,
      ...(error.moreIssues > 0 ? { moreIssues: error.moreIssues } : {}),
    };
    return json(error.httpStatus, { error: body });
  }
  if (error instanceof CheckoutServiceError && error.httpStatus < 500) {
    return errorJson(error.httpStatus, error.code, error.message);
  }
  if (error instanceof StateMachineError && error.httpStatus < 500) {
    // core's one mapping: `{ error: { code, message, field? } }`, the message bounded.
    const answer = toHttpResponse(error);
    if (answer !== undefined) return json(answer.status, JSON.parse(answer.body), answer.headers);
  }
  // Idempotency errors answer through core's mapping (409 + Retry-After, 422, 400; 5xx bodies hidden).
  const idempotency = error instanceof IdempotencyError ? toHttpResponse(error) : undefined;
  if (idempotency !== undefined) {
    const body = JSON.parse(idempotency.body) as { error: { code: string; message: string } };
    return errorJson(idempotency.status, body.error.code, body.error.message, idempotency.headers);
  }
  return undefined;
}
