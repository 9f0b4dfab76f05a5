import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStockItems } from '../test-support/shard-items.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';
import type { ReserveResult } from './reserve.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory({ maxAttempts: 200, backoff: { baseMs: 5, maxMs: 200 } });
});
afterEach(() => t.drop());

describe('reserve on a sharded SKU', { timeout: 600_000 }, () => {
  it('200 1-unit reservations (48 in flight, from 4 inventories) on a 50-unit SKU in 8 shards: exactly 50 succeed', async () => {
    const { inventory } = t;
    await inventory.setStock('hot', 50, { shards: 8 });
    // Other processes: they learn the layout from the table, not from this setStock.
    const inventories = [inventory, t.open(), t.open(), t.open()];
    const results: ReserveResult[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 48 }, async () => {
        while (next < 200) {
          const i = next;
          next += 1;
          const inv = inventories[i % inventories.length] ?? inventory;
          results.push(await inv.reserve(`order-${i}`, [{ sku: 'hot', quantity: 1 }], { holdMs: 600_000 }));
        }
      }),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(50);
    for (const result of results.filter((r) => !r.ok)) {
      expect(result).toMatchObject({ ok: false, shortages: [{ sku: 'hot', requested: 1, available: 0 }] });
    }
    expect((await inventory.getAvailability(['hot'])).get('hot')).toEqual({
      sku: 'hot',
      available: 0,
      reserved: 50,
      committed: 0,
      shards: 8,
    });
    const items = await readStockItems(t, 'hot', 8);
    for (const item of [items.main, ...items.shards]) {
      expect(item?.available).toBeGreaterThanOrEqual(0);
      expect(item?.reserved).toBeGreaterThanOrEqual(0);
    }
    const stored = await Promise.all(Array.from({ length: 200 }, (_, i) => inventory.getReservation(`order-${i}`)));
    expect(stored.reduce((sum, reservation) => sum + (reservation?.lines[0]?.quantity ?? 0), 0)).toBe(50);
  });

  it('multi-unit orders racing on a sharded SKU never take more than the stock, and take all of it', async () => {
    const { inventory } = t;
    await inventory.setStock('multi', 100, { shards: 6 });
    const quantities = Array.from({ length: 60 }, (_, i) => 1 + (i % 5)); // 180 units wanted
    const results = await Promise.all(
      quantities.map((quantity, i) => inventory.reserve(`m-${i}`, [{ sku: 'multi', quantity }], { holdMs: 600_000 })),
    );
    const taken = results.reduce((sum, result, i) => sum + (result.ok ? (quantities[i] ?? 0) : 0), 0);
    const level = (await inventory.getAvailability(['multi'])).get('multi');
    expect(taken).toBeLessThanOrEqual(100);
    expect(level).toMatchObject({ reserved: taken, available: 100 - taken });
    // Every refused order wanted more than was left when it was refused.
    for (const [i, result] of results.entries()) {
      if (!result.ok) expect(result.shortages[0]?.available).toBeLessThan(quantities[i] ?? 0);
    }
    // Whatever is left is reservable down to the last unit.
    if (level !== undefined && level.available > 0) {
      const rest = await inventory.reserve('rest', [{ sku: 'multi', quantity: level.available }], { holdMs: 60_000 });
      expect(rest.ok).toBe(true);
    }
    expect((await inventory.getAvailability(['multi'])).get('multi')).toMatchObject({ available: 0, reserved: 100 });
  });

  it('an order larger than any one shard takes its units from several shards', async () => {
    const { inventory } = t;
    await inventory.setStock('split', 10, { shards: 4 }); // 3, 3, 2, 2
    const cold = t.open(); // knows nothing about the layout yet
    const result = await cold.reserve('big', [{ sku: 'split', quantity: 10 }], { holdMs: 60_000 });
    expect(result).toMatchObject({ ok: true, replayed: false });
    expect((await readStockItems(t, 'split', 4)).shards.map((shard) => shard?.reserved)).toEqual([3, 3, 2, 2]);
    // One more unit is short, and says how many were there.
    expect(await cold.reserve('big-2', [{ sku: 'split', quantity: 1 }], { holdMs: 60_000 })).toMatchObject({
      ok: false,
      shortages: [{ sku: 'split', requested: 1, available: 0 }],
    });
    // Releasing returns each part to its own shard.
    await cold.release('big');
    const after = await readStockItems(t, 'split', 4);
    expect(after.shards.map((shard) => shard?.available)).toEqual([3, 3, 2, 2]);
    expect(after.shards.map((shard) => shard?.reserved)).toEqual([0, 0, 0, 0]);
  });

  it('mixed orders: a sharded line and an unsharded line are all or nothing, and every short SKU is named', async () => {
    const { inventory } = t;
    await inventory.setStock('sh', 4, { shards: 2 });
    await inventory.setStock('one', 1);
    const refused = await inventory.reserve(
      'mixed-1',
      [
        { sku: 'sh', quantity: 5 },
        { sku: 'one', quantity: 2 },
      ],
      { holdMs: 60_000 },
    );
    expect(refused).toMatchObject({
      ok: false,
      shortages: [
        { sku: 'one', requested: 2, available: 1 },
        { sku: 'sh', requested: 5, available: 4 },
      ],
    });
    const onlySharded = await inventory.reserve(
      'mixed-2',
      [
        { sku: 'sh', quantity: 5 },
        { sku: 'one', quantity: 1 },
      ],
      { holdMs: 60_000 },
    );
    expect(onlySharded).toMatchObject({ ok: false, shortages: [{ sku: 'sh', requested: 5, available: 4 }] });
    const levels = await inventory.getAvailability(['sh', 'one']);
    expect(levels.get('sh')).toMatchObject({ available: 4, reserved: 0 });
    expect(levels.get('one')).toMatchObject({ available: 1, reserved: 0 });
    const fine = await inventory.reserve(
      'mixed-3',
      [
        { sku: 'sh', quantity: 4 },
        { sku: 'one', quantity: 1 },
      ],
      { holdMs: 60_000 },
    );
    expect(fine.ok).toBe(true);
  });

  it('a retry of a reserved order on a sold-out sharded SKU is a replay, not sold out', async () => {
    const { inventory } = t;
    await inventory.setStock('last', 2, { shards: 2 });
    const first = await inventory.reserve('o-last', [{ sku: 'last', quantity: 2 }], { holdMs: 60_000 });
    expect(first.ok).toBe(true);
    const retries = await Promise.all(
      [inventory, t.open()].map((inv) => inv.reserve('o-last', [{ sku: 'last', quantity: 2 }], { holdMs: 60_000 })),
    );
    for (const retry of retries) expect(retry).toMatchObject({ ok: true, replayed: true });
    expect((await inventory.getAvailability(['last'])).get('last')).toMatchObject({ available: 0, reserved: 2 });
  });
});
