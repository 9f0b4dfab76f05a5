import { IdempotencyConfigError } from '../errors.js';
import type { IdempotencyStore } from '../store/idempotency-store.js';
import type { IdempotentResult } from './attempt.js';
import { startAttempt } from './attempt.js';
import { DEFAULT_LEASE_MS } from './lease.js';
import { type IdempotencyPolicyOptions, resolvePolicy, wholeMs } from './policy.js';
import { runAttempt } from './with-idempotency.js';

/** Options of {@link once}. */
export interface OnceOptions<R> extends IdempotencyPolicyOptions<R> {
  /** Namespace of the key. Default `once`. */
  readonly scope?: string;
  /** How long the side effect may run before another worker may retry it, in milliseconds. Default 60 000. */
  readonly inProgressLeaseMs?: number;
}

/**
 * Runs a worker's side effect at most once per key (e.g. `receipt:${orderId}:${type}`) while the
 * record lives; a duplicate delivery gets the stored result with `replayed: true`, a concurrent one
 * `IdempotencyInProgressError` (let the message be retried later).
 *
 * @example
 * ```ts
 * import { createMemoryIdempotencyStore, once } from '@checkout/idempotency';
 *
 * const store = createMemoryIdempotencyStore();
 * const { replayed } = await once(store, 'order-1:receipt', async () => ({ sent: true }), {
 *   scope: 'receipt',
 *   ttlSeconds: 7 * 24 * 3600,
 * });
 * ```
 */
export async function once<R>(
  store: IdempotencyStore,
  key: string,
  fn: () => Promise<R> | R,
  options: OnceOptions<R> = {},
): Promise<IdempotentResult<R>> {
  if (typeof store?.acquire !== 'function') throw new IdempotencyConfigError(['store'], 'is not an IdempotencyStore');
  const policy = resolvePolicy(options);
  const leaseMs = wholeMs('inProgressLeaseMs', options.inProgressLeaseMs ?? DEFAULT_LEASE_MS);
  const attempt = startAttempt(policy, {
    scope: options.scope ?? 'once',
    key,
    payload: null,
    leaseMs,
  });
  return runAttempt(store, policy, attempt, fn);
}
