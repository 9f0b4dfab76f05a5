/** Bounded retry with exponential backoff and full jitter. */
export interface RetryPolicy {
  /** Transactions attempted before giving up (first try included). */
  readonly maxAttempts: number;
  /** Delay ceiling of the first retry, in ms; doubles per retry. */
  readonly baseDelayMs: number;
  /** Largest delay between attempts, in ms. */
  readonly maxDelayMs: number;
}

/** Defaults sized for a hot SKU: many short waits, under ~5 s in the worst case. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 800 };

/**
 * Delay before retry number `retry` (1-based): uniform in [0, min(max, base * 2^(retry-1))].
 * Full jitter spreads a burst of conflicting writers apart instead of retrying them in lockstep.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
