import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReservationMismatchError, TooManyLinesError } from '../errors.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  // Generous retries: 200 writers on one item is exactly the contention the backoff is for.
  t = await createTestInventory({ maxAttempts: 200, backoff: { baseMs: 5, maxMs: 200 } });
});
afterEach(() => t.drop());

describe('reserve', () => {
  it('200 concurrent 1-unit reservations on a 50-unit SKU: exactly 50 succeed, stock ends at 0', async () => {
    const { inventory } = t;
    await inventory.setStock('hot', 50);
    let lowest = 50;
    let polling = true;
    // Watch the counter while the burst runs: it must never be seen below zero.
    const watcher = (async () => {
      while (polling) {
        const level = (await inventory.getAvailability(['hot'])).get('hot');
        lowest = Math.min(lowest, level?.available ?? 0);
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        inventory.reserve(`order-${i}`, [{ sku: 'hot', quantity: 1 }], { holdMs: 600_000 }),
      ),
    ).finally(() => {
      polling = false;
    });
    await watcher;

    const succeeded = results.filter((result) => result.ok);
    const soldOut = results.filter((result) => !result.ok);
    expect(succeeded).toHaveLength(50);
    expect(soldOut).toHaveLength(150);
    for (const result of soldOut) {
      expect(result).toMatchObject({
        ok: false,
        reason: 'INSUFFICIENT_STOCK',
        shortages: [{ sku: 'hot', requested: 1, available: 0 }],
      });
    }
    const level = (await inventory.getAvailability(['hot'])).get('hot');
    expect(level).toEqual({ sku: 'hot', available: 0, reserved: 50, committed: 0 });
    expect(lowest).toBeGreaterThanOrEqual(0);

    // Reservations actually stored sum to 50 units.
    const stored = await Promise.all(Array.from({ length: 200 }, (_, i) => inventory.getReservation(`order-${i}`)));
    const units = stored.reduce((sum, reservation) => sum + (reservation?.lines[0]?.quantity ?? 0), 0);
    expect(stored.filter((reservation) => reservation !== undefined)).toHaveLength(50);
    expect(units).toBe(50);
  });

  it('the same order retried 10 times concurrently decrements once', async () => {
    const { inventory } = t;
    await inventory.setStock('retried', 10);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        inventory.reserve('order-retry', [{ sku: 'retried', quantity: 3 }], { holdMs: 600_000 }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const fresh = results.filter((result) => result.ok && !result.replayed);
    expect(fresh).toHaveLength(1);
    expect((await inventory.getAvailability(['retried'])).get('retried')).toMatchObject({ available: 7, reserved: 3 });
  });

  it('a retry after the reservation exists (e.g. after a lost response) returns it and takes nothing', async () => {
    const { inventory } = t;
    await inventory.setStock('replay', 5);
    const first = await inventory.reserve('order-replay', [{ sku: 'replay', quantity: 2 }], { holdMs: 600_000 });
    const again = await inventory.reserve('order-replay', [{ sku: 'replay', quantity: 2 }], { holdMs: 900_000 });
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(again).toMatchObject({ ok: true, replayed: true });
    if (!first.ok || !again.ok) throw new Error('unreachable');
    expect(again.reservation).toEqual(first.reservation);
    expect((await inventory.getAvailability(['replay'])).get('replay')).toMatchObject({ available: 3, reserved: 2 });
  });

  it('a retry when stock has meanwhile run out still returns the existing reservation, not sold out', async () => {
    const { inventory } = t;
    await inventory.setStock('drained', 2);
    await inventory.reserve('order-first', [{ sku: 'drained', quantity: 2 }], { holdMs: 600_000 });
    const again = await inventory.reserve('order-first', [{ sku: 'drained', quantity: 2 }], { holdMs: 600_000 });
    expect(again).toMatchObject({ ok: true, replayed: true });
  });

  it('the same order id with different lines is a typed mismatch, and takes nothing', async () => {
    const { inventory } = t;
    await inventory.setStock('mismatch', 5);
    await inventory.reserve('order-mismatch', [{ sku: 'mismatch', quantity: 1 }], { holdMs: 600_000 });
    await expect(
      inventory.reserve('order-mismatch', [{ sku: 'mismatch', quantity: 2 }], { holdMs: 600_000 }),
    ).rejects.toBeInstanceOf(ReservationMismatchError);
    expect((await inventory.getAvailability(['mismatch'])).get('mismatch')).toMatchObject({ available: 4 });
  });

  it('a multi-SKU order with one short line reserves nothing on any line and names the short SKU', async () => {
    const { inventory } = t;
    await inventory.setStock('plenty-a', 10);
    await inventory.setStock('plenty-b', 10);
    await inventory.setStock('scarce', 1);
    const result = await inventory.reserve(
      'order-multi',
      [
        { sku: 'plenty-a', quantity: 2 },
        { sku: 'scarce', quantity: 3 },
        { sku: 'plenty-b', quantity: 1 },
        { sku: 'never-stocked', quantity: 1 },
      ],
      { holdMs: 600_000 },
    );
    expect(result).toEqual({
      ok: false,
      reason: 'INSUFFICIENT_STOCK',
      shortages: [
        { sku: 'never-stocked', requested: 1, available: 0 },
        { sku: 'scarce', requested: 3, available: 1 },
      ],
      attempts: 1,
    });
    const levels = await inventory.getAvailability(['plenty-a', 'plenty-b', 'scarce']);
    expect([...levels.values()].map((level) => [level.sku, level.available, level.reserved])).toEqual([
      ['plenty-a', 10, 0],
      ['plenty-b', 10, 0],
      ['scarce', 1, 0],
    ]);
    expect(await inventory.getReservation('order-multi')).toBeUndefined();
  });

  it('merges repeated SKUs into one line (a transaction may touch an item once)', async () => {
    const { inventory } = t;
    await inventory.setStock('dup', 5);
    const result = await inventory.reserve(
      'order-dup',
      [
        { sku: 'dup', quantity: 1 },
        { sku: 'dup', quantity: 2 },
      ],
      { holdMs: 60_000 },
    );
    expect(result.ok && result.reservation.lines).toEqual([{ sku: 'dup', quantity: 3 }]);
    expect((await inventory.getAvailability(['dup'])).get('dup')).toMatchObject({ available: 2, reserved: 3 });
  });

  it('accepts 99 distinct SKUs in one transaction and rejects 100 before writing', async () => {
    const { inventory } = t;
    const skus = Array.from({ length: 100 }, (_, i) => `wide-${String(i).padStart(3, '0')}`);
    await Promise.all(skus.map((sku) => inventory.setStock(sku, 1)));
    await expect(
      inventory.reserve(
        'order-wide-100',
        skus.map((sku) => ({ sku, quantity: 1 })),
        { holdMs: 60_000 },
      ),
    ).rejects.toBeInstanceOf(TooManyLinesError);
    const ok = await inventory.reserve(
      'order-wide-99',
      skus.slice(0, 99).map((sku) => ({ sku, quantity: 1 })),
      {
        holdMs: 60_000,
      },
    );
    expect(ok.ok).toBe(true);
    const levels = await inventory.getAvailability(skus);
    expect([...levels.values()].filter((level) => level.available === 0)).toHaveLength(99);
    expect(levels.get('wide-099')?.available).toBe(1);
  });
});
