import { InvalidRequestError, UnauthenticatedError } from '../errors.js';
import { MAX_IDEMPOTENCY_KEY_BYTES, MAX_ORDER_ID_BYTES, MAX_PRINCIPAL_BYTES, textProblem } from './request-text.js';

/**
 * The caller's principal, or {@link UnauthenticatedError} (401) when the authorizer gave none or a
 * malformed one. There is no fallback identity: a shared one would put every unauthenticated caller
 * in one idempotency scope and let them read each other's orders.
 */
export function requirePrincipal(principal: string | undefined): string {
  if (principal === undefined || principal.length === 0) throw new UnauthenticatedError('no principal');
  const problem = textProblem(principal, MAX_PRINCIPAL_BYTES);
  if (problem !== undefined) throw new UnauthenticatedError(`the principal ${problem}`);
  return principal;
}

/** The `Idempotency-Key` header, or {@link InvalidRequestError} (400) naming it: 1-255 UTF-8 bytes of plain text. */
export function requireIdempotencyKey(key: string | undefined): string {
  if (key === undefined) throw new InvalidRequestError([{ path: 'Idempotency-Key', message: 'header is required' }]);
  const problem = textProblem(key, MAX_IDEMPOTENCY_KEY_BYTES);
  if (problem !== undefined) throw new InvalidRequestError([{ path: 'Idempotency-Key', message: problem }]);
  return key;
}

/** The decoded order id of `GET /orders/{id}`, or {@link InvalidRequestError} (400) naming `orderId`. */
export function requireOrderId(orderId: string): string {
  const problem = textProblem(orderId, MAX_ORDER_ID_BYTES);
  if (problem !== undefined) throw new InvalidRequestError([{ path: 'orderId', message: problem }]);
  return orderId;
}
