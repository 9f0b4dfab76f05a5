/**
 * Retry delays, the one shape of every checkout-kit package: exponential from `baseMs`, doubling per
 * retry, capped at `maxMs`. Each package documents its defaults and how it spreads retries (jitter).
 */
export interface BackoffOptions {
  /** Delay ceiling after the first failure, in milliseconds. */
  readonly baseMs?: number;
  /** Largest delay, in milliseconds. */
  readonly maxMs?: number;
}

/** How retries are spread: `equal` = uniform in [d/2, d] (never shrinks), `full` = uniform in [0, d]. */
export type BackoffJitter = 'equal' | 'full';

/**
 * Why `backoff` is not a valid {@link BackoffOptions}: the field at fault (`baseMs` or `maxMs`) and
 * the reason, or `undefined`. Both must be finite numbers >= 0 and `baseMs <= maxMs` once defaults
 * apply; `limitMs` bounds `maxMs` when the package has a ceiling (SQS: 12 h).
 */
export function backoffProblem(
  backoff: BackoffOptions | undefined,
  defaults: Required<BackoffOptions>,
  limitMs = Number.MAX_SAFE_INTEGER,
): { readonly field: 'baseMs' | 'maxMs'; readonly reason: string } | undefined {
  if (backoff !== undefined && (typeof backoff !== 'object' || backoff === null)) {
    return { field: 'baseMs', reason: 'backoff must be an object { baseMs?, maxMs? }' };
  }
  const baseMs = backoff?.baseMs ?? defaults.baseMs;
  const maxMs = backoff?.maxMs ?? defaults.maxMs;
  if (typeof baseMs !== 'number' || !Number.isFinite(baseMs) || baseMs < 0) {
    return { field: 'baseMs', reason: `must be a finite number >= 0, got ${String(baseMs)}` };
  }
  if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || maxMs < 0 || maxMs > limitMs) {
    return { field: 'maxMs', reason: `must be a finite number between 0 and ${limitMs}, got ${String(maxMs)}` };
  }
  if (baseMs > maxMs) return { field: 'baseMs', reason: `must be at most maxMs (${maxMs}), got ${baseMs}` };
  return undefined;
}

/**
 * Delay before retry number `retry` (1 = after the first failure), in milliseconds: ceiling
 * `min(maxMs, baseMs * 2^(retry-1))`, spread by `jitter` with `random()` in [0, 1).
 *
 * @example
 * ```ts
 * import { backoffDelayMs } from '@checkout/core';
 *
 * backoffDelayMs(3, { baseMs: 100, maxMs: 1_000 }, 'equal', () => 0.5); // 300 (ceiling 400)
 * ```
 */
export function backoffDelayMs(
  retry: number,
  backoff: Required<BackoffOptions>,
  jitter: BackoffJitter,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(Math.floor(retry), 1) - 1, 40);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  const drawn = random();
  // A broken random source (NaN, out of range) cannot produce a NaN or negative delay.
  const r = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0.5;
  return jitter === 'equal' ? Math.round(ceiling / 2 + (ceiling / 2) * r) : Math.floor(r * ceiling);
}
