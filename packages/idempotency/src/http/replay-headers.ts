/** Header set on a response that was replayed from a stored record. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Headers to add to a successful response: `Idempotent-Replayed: true` when it was replayed, else
 * none. (Errors answer through `toHttpResponse` of `@checkout/core`.)
 *
 * @example
 * ```ts
 * import { replayHeaders } from '@checkout/idempotency';
 *
 * replayHeaders({ replayed: true }); // { 'Idempotent-Replayed': 'true' }
 * replayHeaders({ replayed: false }); // {}
 * ```
 */
export function replayHeaders(result: { readonly replayed: boolean }): Readonly<Record<string, string>> {
  return result.replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : {};
}
