import { IdempotencyError, IdempotencyInProgressError } from '../errors.js';

/** Header set on a response that was replayed from a stored record. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** A framework-neutral HTTP response: copy it into API Gateway's result, Hono's `c.json`, Express's `res`. */
export interface IdempotencyHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body: `{"error":{"code":"IDEMPOTENCY_IN_PROGRESS","message":"..."}}`. */
  readonly body: string;
}

/**
 * Maps an idempotency error to its response: 400 bad key, 409 in progress (with `Retry-After`) or
 * lease lost, 422 key reused with another payload, 500 for store and configuration faults and for
 * results that cannot be stored (`IDEMPOTENCY_RESULT_UNSERIALIZABLE`).
 * Returns `undefined` for any other error, so your own error handling stays in charge.
 */
export function idempotencyErrorResponse(error: unknown): IdempotencyHttpResponse | undefined {
  if (!(error instanceof IdempotencyError)) return undefined;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (error instanceof IdempotencyInProgressError) headers['Retry-After'] = String(error.retryAfterSeconds);
  // Server-side faults keep their details in logs, not in the response.
  const message = error.httpStatus >= 500 ? 'Idempotency store error' : error.message;
  return { status: error.httpStatus, headers, body: JSON.stringify({ error: { code: error.code, message } }) };
}

/** Headers to add to a successful response: `Idempotent-Replayed: true` when it was replayed, else none. */
export function replayHeaders(result: { readonly replayed: boolean }): Readonly<Record<string, string>> {
  return result.replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : {};
}
