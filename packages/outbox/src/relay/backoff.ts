/** Retry delays: exponential from `baseMs`, capped at `maxMs`. */
export interface BackoffOptions {
  /** Delay after the first failure. Default 1000 ms. */
  readonly baseMs?: number;
  /** Longest delay. Default 300000 ms (5 min). */
  readonly maxMs?: number;
}

/**
 * Delay before retry number `attempt` (1 = after the first failure): `min(max, base * 2^(attempt-1))`
 * with equal jitter (half fixed, half random), so retries of many rows do not arrive in lockstep.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random) {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 300_000;
  const exp = Math.min(max, base * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(exp / 2 + (exp / 2) * random());
}
