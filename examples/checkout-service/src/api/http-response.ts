import { isCheckoutError, toHttpResponse } from '@checkout/core';
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
 * Maps the typed 4xx errors of the service and of every package to their answer through core's one
 * mapping (`toHttpResponse`): the body names the code, the field and, for a bad request or cart, the
 * bad fields (at most a few listed, the rest counted in `moreIssues`, every echoed name cut short);
 * `Retry-After` when the error sets it. A dependency outage (`DEPENDENCY_UNAVAILABLE` of core, which
 * the API raises for Postgres and DynamoDB failures, see `dependency-budget.ts`) is the one 5xx
 * answered here: 503 with `Retry-After` and no details. Anything else (other 5xx, or not a
 * checkout-kit error) is not ours to explain: `undefined` (the adapter answers 500 and logs it).
 */
export function errorResponse(error: unknown): HttpResponse | undefined {
  const answer = toHttpResponse(error);
  if (answer === undefined) return undefined;
  if (answer.status >= 500 && !(isCheckoutError(error) && error.code === DEPENDENCY_UNAVAILABLE)) return undefined;
  return json(answer.status, JSON.parse(answer.body), answer.headers);
}

/** The code of core's `DependencyUnavailableError`. */
const DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE';
