import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 300 };

  it('grows the ceiling exponentially up to the cap (full jitter from 0)', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelayMs(policy, retry, top))).toEqual([
      9, 19, 39, 79, 159, 299, 299,
    ]);
    expect(backoffDelayMs(policy, 5, () => 0)).toBe(0);
  });

  it('spreads concurrent retries apart', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(policy, 5, random)));
    expect(delays.size).toBeGreaterThan(30);
  });
});
