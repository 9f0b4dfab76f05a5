import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffProblem } from './backoff.js';

const defaults = { baseMs: 100, maxMs: 1_000 };

describe('backoff', () => {
  it('doubles from baseMs up to maxMs with the chosen jitter', () => {
    expect(backoffDelayMs(1, defaults, 'equal', () => 1)).toBe(100);
    expect(backoffDelayMs(1, defaults, 'equal', () => 0)).toBe(50);
    expect(backoffDelayMs(4, defaults, 'equal', () => 1)).toBe(800);
    expect(backoffDelayMs(50, defaults, 'equal', () => 1)).toBe(1_000);
    expect(backoffDelayMs(3, defaults, 'full', () => 0)).toBe(0);
    expect(backoffDelayMs(3, defaults, 'full', () => 0.5)).toBe(200);
    expect(backoffDelayMs(0, defaults, 'equal', () => 1)).toBe(100);
  });

  it('names the bad field', () => {
    expect(backoffProblem(undefined, defaults)).toBeUndefined();
    expect(backoffProblem({ baseMs: -1 }, defaults)?.field).toBe('baseMs');
    expect(backoffProblem({ maxMs: Number.NaN }, defaults)?.field).toBe('maxMs');
    expect(backoffProblem({ baseMs: 2_000 }, defaults)?.field).toBe('baseMs');
    expect(backoffProblem({ maxMs: 10_000 }, defaults, 5_000)?.field).toBe('maxMs');
  });
});

describe('backoff with a broken random source', () => {
  it('never returns NaN or a negative delay', () => {
    for (const bad of [Number.NaN, -5, 7, Number.POSITIVE_INFINITY]) {
      const delay = backoffDelayMs(3, defaults, 'equal', () => bad);
      expect(Number.isFinite(delay) && delay >= 0 && delay <= 400).toBe(true);
    }
  });
});
