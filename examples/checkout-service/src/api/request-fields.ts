import { InvalidRequestError, UnauthenticatedError } from '../errors.js';
import { MAX_IDEMPOTENCY_KEY_BYTES, MAX_ORDER_ID_BYTES, MAX_PRINCIPAL_BYTES, textProblem } from './request-text.js';

/** Only white space (a space, NBSP, ideographic space, ...): not an identity. */
const BLANK = /^\s+$/u;

/**
 * The caller's principal, or {@link UnauthenticatedError} (401) when the authorizer gave none or a
 * malformed one (not a string, blank, or breaking the text rule). There is no fallback identity: a shared one would put every unauthenticated caller
 * in one idempotency scope and let them read each other's orders.
 */
export function requirePrincipal(principal: string | undefined): string {
  // Checked at run time too: a framework may hand over a claim of another type (a number, an object).
  if (typeof principal !== 'string' || principal.length === 0) throw new UnauthenticatedError('no principal');
  // Blank is no identity: every caller an authorizer gave spaces would share one scope.
  if (BLANK.test(principal)) throw new UnauthenticatedError('the principal must not be blank');
  const problem = textProblem(principal, MAX_PRINCIPAL_BYTES);
  if (problem !== undefined) throw new UnauthenticatedError(`the principal ${problem}`);
  return principal;
}

/** The `Idempotency-Key` header, or {@link InvalidRequestError} (400) naming it: 1-255 UTF-8 bytes of plain text. */
export function requireIdempotencyKey(key: string | undefined): string {
  if (typeof key !== 'string')
    throw new InvalidRequestError([{ path: 'Idempotency-Key', message: 'header is required' }]);
  const problem = textProblem(key, MAX_IDEMPOTENCY_KEY_BYTES);
  if (problem !== undefined) throw new InvalidRequestError([{ path: 'Idempotency-Key', message: problem }]);
  return key;
}

/** The decoded order id of `GET /orders/{id}`, or {@link InvalidRequestError} (400) naming `orderId`. */
export function requireOrderId(orderId: string): string {
  if (typeof orderId !== 'string') throw new InvalidRequestError([{ path: 'orderId', message: 'must be a string' }]);
  const problem = textProblem(orderId, MAX_ORDER_ID_BYTES);
  if (problem !== undefined) throw new InvalidRequestError([{ path: 'orderId', message: problem }]);
  return orderId;
}
