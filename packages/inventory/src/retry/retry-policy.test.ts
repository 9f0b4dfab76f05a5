import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs, retryPolicy } from './retry-policy.js';

describe('retryDelayMs', () => {
  const policy = retryPolicy(10, { baseMs: 10, maxMs: 300 });

  it('grows the ceiling exponentially up to the cap (full jitter from 0)', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7].map((retry) => retryDelayMs(policy, retry, top))).toEqual([
      9, 19, 39, 79, 159, 299, 299,
    ]);
    expect(retryDelayMs(policy, 5, () => 0)).toBe(0);
  });

  it('spreads concurrent retries apart', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 5, random)));
    expect(delays.size).toBeGreaterThan(30);
  });

  it('derives Retry-After from the backoff ceiling, at least one second', () => {
    expect(retryPolicy(12, DEFAULT_BACKOFF).retryAfterSeconds).toBe(1);
    expect(retryPolicy(12, { baseMs: 10, maxMs: 2_500 }).retryAfterSeconds).toBe(3);
    expect(retryPolicy(12, { baseMs: 0, maxMs: 0 }).retryAfterSeconds).toBe(1);
  });
});
