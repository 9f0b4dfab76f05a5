import { describe, expect, it } from 'vitest';
import { WorkersConfigError } from '../errors.js';
import { backoffSeconds, resolveBackoff, visibilityLeftSeconds } from './backoff.js';

describe('backoffSeconds', () => {
  const backoff = resolveBackoff({ baseMs: 2_000 });

  it('grows with the receive count and never shrinks, whatever the jitter', () => {
    for (let count = 1; count < 20; count += 1) {
      const highOfThis = backoffSeconds(count, backoff, () => 1);
      const lowOfNext = backoffSeconds(count + 1, backoff, () => 0);
      expect(lowOfNext).toBeGreaterThanOrEqual(highOfThis);
    }
    expect(backoffSeconds(1, backoff, () => 0)).toBe(1);
    expect(backoffSeconds(3, backoff, () => 1)).toBe(8);
  });

  it('is capped at 12 hours and at maxMs, in whole seconds rounded up', () => {
    expect(backoffSeconds(100, backoff, () => 1)).toBe(43_200);
    expect(backoffSeconds(100, resolveBackoff({ maxMs: 60_000 }), () => 0.5)).toBe(60);
    expect(backoffSeconds(1, resolveBackoff({ baseMs: 300 }), () => 0)).toBe(1);
    expect(backoffSeconds(1, resolveBackoff({ baseMs: 0 }), () => 1)).toBe(0);
  });

  it('rejects bad settings with WorkersConfigError naming the field (core backoffProblem)', () => {
    expect(() => resolveBackoff({ baseMs: -1 })).toThrow(WorkersConfigError);
    expect(() => resolveBackoff({ baseMs: -1 })).toThrow(
      expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: 'backoff.baseMs' }),
    );
    expect(() => resolveBackoff({ maxMs: 50_000_000 })).toThrow(expect.objectContaining({ field: 'backoff.maxMs' }));
    expect(() => resolveBackoff({ baseMs: 5_000, maxMs: 1_000 })).toThrow(/backoff\.baseMs/);
    expect(() => resolveBackoff({ baseMs: Number.NaN })).toThrow(/backoff\.baseMs/);
  });

  it('visibility left counts 12 h from the receive (fixed clock)', () => {
    const receivedAt = Date.UTC(2026, 0, 1);
    expect(visibilityLeftSeconds(receivedAt, receivedAt)).toBe(43_200);
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 11 * 3_600_000 + 500)).toBe(3_599);
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 13 * 3_600_000)).toBe(0);
    expect(visibilityLeftSeconds(receivedAt, receivedAt - 5_000)).toBe(43_200);
  });
});
