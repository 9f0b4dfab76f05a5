import { type BackoffOptions, backoffDelayMs } from '@checkout/core';

/** Backoff of conflict retries when none is given: many short waits for a hot SKU. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 10, maxMs: 800 };

/** Transactions attempted per call (first try included) when `maxAttempts` is not given: under ~5 s in the worst case. */
export const DEFAULT_MAX_ATTEMPTS = 12;

/** Largest `backoff.maxMs` accepted (10 minutes). */
export const MAX_BACKOFF_MS = 600_000;

/** The resolved retry options of one inventory. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoff: Required<BackoffOptions>;
  /** `Retry-After` of a `TransactionContentionError`: the backoff ceiling in whole seconds, at least 1. */
  readonly retryAfterSeconds: number;
}

/** A resolved {@link RetryPolicy} (options already validated). */
export function retryPolicy(maxAttempts: number, backoff: Required<BackoffOptions>): RetryPolicy {
  return { maxAttempts, backoff, retryAfterSeconds: Math.max(1, Math.ceil(backoff.maxMs / 1000)) };
}

/**
 * Delay before retry number `retry` (1-based) with full jitter: uniform in
 * [0, min(maxMs, baseMs * 2^(retry-1))). Full jitter spreads a burst of conflicting writers apart
 * instead of retrying them in lockstep.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  return backoffDelayMs(retry, policy.backoff, 'full', random);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
