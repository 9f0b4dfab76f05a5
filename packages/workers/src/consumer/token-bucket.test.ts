import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants burst at once, then perSecond, in order, and never more', async () => {
    const bucket = new TokenBucket(10, 2, () => Date.now());
    const granted: Array<{ id: number; at: number }> = [];
    const start = Date.now();
    for (let id = 0; id < 12; id += 1) void bucket.take().then(() => granted.push({ id, at: Date.now() - start }));
    await vi.advanceTimersByTimeAsync(0);
    expect(granted.map((g) => g.id)).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(granted.map((g) => g.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const grant of granted) expect(grant.at).toBeGreaterThanOrEqual(Math.max(0, (grant.id - 1) * 100));
  });

  it('answers false to a waiter whose signal aborts', async () => {
    const bucket = new TokenBucket(1, 1, () => Date.now());
    expect(await bucket.take()).toBe(true);
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(await waiting).toBe(false);
  });
});

describe('TokenBucket listener hygiene', () => {
  it('leaves no abort listener behind once a waiter is served', async () => {
    const bucket = new TokenBucket(1_000_000, 1_000_000);
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added += 1;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed += 1;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 100; i += 1) expect(await bucket.take(controller.signal)).toBe(true);
    expect(added).toBe(100);
    expect(removed).toBe(100);
  });
});
