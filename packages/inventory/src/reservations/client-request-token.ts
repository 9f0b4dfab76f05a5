import { createHash, randomBytes } from 'node:crypto';

/**
 * A new `ClientRequestToken` for one `reserve` call: `<order hash>.<call nonce>.<attempt>`, at most 36
 * characters. Returns a function giving the token of each attempt of that call.
 *
 * The token makes the AWS SDK's own retries of one request (sent again after a lost response or a
 * timeout) apply at most once. It is deliberately not shared between calls: DynamoDB answers a
 * repeated token with plain success, so a second call would be told "reserved" without learning that
 * the reservation was someone else's, and a token reused with other parameters within 10 minutes is
 * an error (`IdempotentParameterMismatch`). Across calls, the reservation item's
 * `attribute_not_exists` condition is what makes a retry of the order take stock at most once.
 */
export function reserveRequestTokens(tableName: string, orderId: string): (attempt: number) => string {
  const order = createHash('sha256').update(`${tableName}\u0000${orderId}`).digest('base64url').slice(0, 15);
  const call = randomBytes(12).toString('base64url').slice(0, 15);
  return (attempt) => `${order}.${call}.${attempt}`.slice(0, 36);
}
