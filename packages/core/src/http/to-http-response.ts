import { type CheckoutError, type ErrorDetail, isCheckoutError } from '../errors/checkout-error.js';
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
  let ours: boolean;
  try {
    ours = isCheckoutError(error);
  } catch {
    return undefined; // a hostile object (a Proxy that throws) is not ours to explain
  }
  if (!ours) return undefined;
  try {
    return mapError(error as CheckoutError);
  } catch {
    // Getters that throw, a message that is not text: still one answer, never an exception here.
    return { status: 500, headers: { 'Content-Type': 'application/json' }, body: INTERNAL_BODY };
  }
}

const INTERNAL_BODY = JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal error' } });

/** Largest `Retry-After` we send (about 68 years): a larger or non-finite value is not sent. */
const MAX_RETRY_AFTER_SECONDS = 2_147_483_647;

function mapError(error: CheckoutError): CheckoutHttpResponse {
  const httpStatus = error.httpStatus;
  const status = Number.isInteger(httpStatus) && httpStatus >= 400 && httpStatus <= 599 ? httpStatus : 500;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const retryAfter = error.retryAfterSeconds;
  if (
    typeof retryAfter === 'number' &&
    Number.isFinite(retryAfter) &&
    retryAfter >= 0 &&
    retryAfter <= MAX_RETRY_AFTER_SECONDS
  ) {
    headers['Retry-After'] = String(Math.ceil(retryAfter));
  }
  const code = boundedText(String(error.code), MAX_RESPONSE_MESSAGE_CHARS);
  if (status >= 500) {
    return { status, headers, body: JSON.stringify({ error: { code, message: 'Internal error' } }) };
  }
  const body: Record<string, ErrorDetail> = {
    code,
    message: boundedText(String(error.message), MAX_RESPONSE_MESSAGE_CHARS),
  };
  if (typeof error.field === 'string') body.field = boundedText(error.field, MAX_RESPONSE_MESSAGE_CHARS);
  const details = safeDetails(error);
  if (typeof details === 'object' && details !== null) {
    const withDetails: Record<string, ErrorDetail> = { ...body };
    for (const [key, value] of Object.entries(details)) {
      if (!(key in withDetails)) withDetails[key] = value;
    }
    try {
      return { status, headers, body: JSON.stringify({ error: withDetails }) };
    } catch {
      // Details that JSON cannot hold (a bigint, a cycle) are dropped, the rest of the answer stays.
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
