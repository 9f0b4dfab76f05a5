import { createHash, randomBytes } from 'node:crypto';

/**
 * `ClientRequestToken`s for one call (`reserve`, `commit`, ...): `<hash of table+order>.<call nonce>.<n>`,
 * at most 36 characters. The caller moves to the next `n` only after a definite cancellation.
 *
 * After an ambiguous failure (a 500, a request still in progress) the call sends the same request
 * with the same token, so DynamoDB applies it at most once and answers success if the first one
 * went through. After a `TransactionCanceledException` nothing was applied, and the retry (which
 * may differ) gets a fresh token. Tokens are never shared between calls: DynamoDB answers a repeated
 * token with plain success, so a second caller would be told "done" for someone else's write, and a
 * token reused with other parameters within 10 minutes is an error (`IdempotentParameterMismatch`).
 * Across calls, the items' conditions (`attribute_not_exists`, `status = PENDING`) are the guarantee.
 */
export function requestTokens(tableName: string, orderId: string): (generation: number) => string {
  const order = createHash('sha256').update(`${tableName}\u0000${orderId}`).digest('base64url').slice(0, 15);
  const call = randomBytes(12).toString('base64url').slice(0, 15);
  return (generation) => `${order}.${call}.${generation}`.slice(0, 36);
}
