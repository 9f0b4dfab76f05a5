import { type ErrorDetail, isCheckoutError } from '../errors/checkout-error.js';
import { boundedText } from '../text/bounded-text.js';

/** A framework-neutral HTTP answer: copy it into API Gateway's result, Hono's `c.body`, Express's `res`. */
export interface CheckoutHttpResponse {
  readonly status: number;
  /** `Content-Type: application/json`, and `Retry-After` when the error says when to retry. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text: `{"error":{"code":"...","message":"...","field":"..."}}`. */
  readonly body: string;
}

/** Longest message (in code points) an error body echoes. */
export const MAX_RESPONSE_MESSAGE_CHARS = 500;

/**
 * Maps any checkout-kit error (of any package, see `isCheckoutError`) to its HTTP answer, or
 * `undefined` for every other error so your own handling stays in charge.
 *
 * - 4xx: `{ error: { code, message, field?, ...details } }`, the message cut to
 *   {@link MAX_RESPONSE_MESSAGE_CHARS}.
 * - 5xx: `{ error: { code, message: 'Internal error' } }`: server faults keep their details in your
 *   logs, not in the response.
 * - `Retry-After` when the error carries `retryAfterSeconds` (a key in progress, a busy SKU).
 *
 * @example
 * ```ts
 * import { toHttpResponse } from '@checkout/core';
 *
 * async function handle(run: () => Promise<unknown>) {
 *   try {
 *     return { status: 200, headers: {}, body: JSON.stringify(await run()) };
 *   } catch (error) {
 *     const answer = toHttpResponse(error);
 *     if (answer === undefined) throw error; // not ours: your 500 path
 *     return answer;
 *   }
 * }
 * ```
 */
export function toHttpResponse(error: unknown): CheckoutHttpResponse | undefined {
  if (!isCheckoutError(error)) return undefined;
  const status =
    Number.isInteger(error.httpStatus) && error.httpStatus >= 400 && error.httpStatus <= 599 ? error.httpStatus : 500;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const retryAfter = error.retryAfterSeconds;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    headers['Retry-After'] = String(Math.ceil(retryAfter));
  }
  let body: Record<string, ErrorDetail>;
  if (status >= 500) {
    body = { code: error.code, message: 'Internal error' };
  } else {
    body = { code: error.code, message: boundedText(error.message, MAX_RESPONSE_MESSAGE_CHARS) };
    if (error.field !== undefined) body.field = boundedText(error.field, MAX_RESPONSE_MESSAGE_CHARS);
    const details = safeDetails(error);
    if (details !== undefined) {
      for (const [key, value] of Object.entries(details)) {
        if (!(key in body)) body[key] = value;
      }
    }
  }
  return { status, headers, body: JSON.stringify({ error: body }) };
}

function safeDetails(error: { responseDetails(): Readonly<Record<string, ErrorDetail>> | undefined }) {
  try {
    return error.responseDetails();
  } catch {
    return undefined;
  }
}
