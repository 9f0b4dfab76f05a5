import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors.js';
import { backoffSeconds, resolveBackoff, visibilityLeftSeconds } from './backoff.js';

describe('backoffSeconds', () => {
  const backoff = resolveBackoff({ baseSeconds: 2 });

  it('grows with the receive count and never shrinks, whatever the jitter', () => {
    for (let count = 1; count < 20; count += 1) {
      const highOfThis = backoffSeconds(count, backoff, () => 1);
      const lowOfNext = backoffSeconds(count + 1, backoff, () => 0);
      expect(lowOfNext).toBeGreaterThanOrEqual(highOfThis);
    }
    expect(backoffSeconds(1, backoff, () => 0)).toBe(1);
    expect(backoffSeconds(3, backoff, () => 1)).toBe(8);
  });

  it('is capped at 12 hours and at maxSeconds', () => {
    expect(backoffSeconds(100, backoff, () => 1)).toBe(43_200);
    expect(backoffSeconds(100, resolveBackoff({ maxSeconds: 60 }), () => 0.5)).toBe(60);
  });

  it('rejects bad settings, naming the field', () => {
    expect(() => resolveBackoff({ baseSeconds: -1 })).toThrow(InvalidOptionsError);
    expect(() => resolveBackoff({ maxSeconds: 50_000 })).toThrow(/backoff\.maxSeconds/);
  });

  it('visibility left counts 12 h from the receive (fixed clock)', () => {
    const receivedAt = Date.UTC(2026, 0, 1);
    expect(visibilityLeftSeconds(receivedAt, receivedAt)).toBe(43_200);
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 11 * 3_600_000 + 500)).toBe(3_599);
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 13 * 3_600_000)).toBe(0);
    expect(visibilityLeftSeconds(receivedAt, receivedAt - 5_000)).toBe(43_200);
  });
});
