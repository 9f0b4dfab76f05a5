/**
 * The clock option of every checkout-kit component (`now`): the current time in epoch milliseconds,
 * `Date.now` by default. Inject one in tests to move time without waiting.
 *
 * @example
 * ```ts
 * import type { Clock } from '@checkout/core';
 *
 * let fakeNow = Date.parse('2026-01-01T00:00:00Z');
 * const now: Clock = () => fakeNow;
 * fakeNow += 60_000; // a minute later, at once
 * ```
 */
export type Clock = () => number;
