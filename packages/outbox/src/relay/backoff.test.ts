import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles per attempt with equal jitter, capped', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(1, options, () => 0)).toBe(50);
    expect(backoffDelayMs(1, options, () => 1)).toBe(100);
    expect(backoffDelayMs(3, options, () => 1)).toBe(400);
    expect(backoffDelayMs(30, options, () => 1)).toBe(1000);
    expect(backoffDelayMs(30, options, () => 0)).toBe(500);
  });
});
