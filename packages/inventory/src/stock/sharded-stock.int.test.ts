import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryInputError, StockUnderflowError } from '../errors.js';
import { readStockItems } from '../test-support/shard-items.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory({ maxAttempts: 100, backoff: { baseMs: 5, maxMs: 100 } });
});
afterEach(() => t.drop());

describe('sharded stock administration', { timeout: 600_000 }, () => {
  it('setStock with shards splits the units evenly over shard items; getAvailability sums them', async () => {
    const { inventory } = t;
    expect(await inventory.setStock('flash', 50, { shards: 8 })).toEqual({
      sku: 'flash',
      available: 50,
      reserved: 0,
      committed: 0,
      shards: 8,
    });
    const items = await readStockItems(t, 'flash', 8);
    expect(items.main?.available).toBe(0);
    expect(items.shards.map((shard) => shard?.available)).toEqual([7, 7, 6, 6, 6, 6, 6, 6]);
    expect((await inventory.getAvailability(['flash'])).get('flash')).toEqual({
      sku: 'flash',
      available: 50,
      reserved: 0,
      committed: 0,
      shards: 8,
    });
    // Eventually consistent reads sum the same way.
    expect((await inventory.getAvailability(['flash'], { consistentRead: false })).get('flash')).toMatchObject({
      available: 50,
    });
  });

  it('an unsharded SKU stays exactly as before: one item, no shards field', async () => {
    const { inventory } = t;
    expect(await inventory.setStock('plain', 5)).toEqual({ sku: 'plain', available: 5, reserved: 0, committed: 0 });
    expect(await inventory.setStock('plain', 6, { shards: 1 })).toEqual({
      sku: 'plain',
      available: 6,
      reserved: 0,
      committed: 0,
    });
    expect((await inventory.getAvailability(['plain'])).get('plain')).toEqual({
      sku: 'plain',
      available: 6,
      reserved: 0,
      committed: 0,
    });
    expect((await readStockItems(t, 'plain', 2)).shards).toEqual([undefined, undefined]);
  });

  it('setStock without shards keeps the layout; shards: 1 gathers every unit back; re-sharding keeps reserved counts', async () => {
    const { inventory } = t;
    await inventory.setStock('resh', 20, { shards: 4 });
    await inventory.reserve('resh-order', [{ sku: 'resh', quantity: 3 }], { holdMs: 60_000 });
    expect(await inventory.setStock('resh', 40)).toEqual({
      sku: 'resh',
      available: 40,
      reserved: 3,
      committed: 0,
      shards: 4,
    });
    expect(await inventory.setStock('resh', 10, { shards: 2 })).toMatchObject({
      available: 10,
      reserved: 3,
      shards: 2,
    });
    const two = await readStockItems(t, 'resh', 4);
    expect(two.shards.map((shard) => shard?.available)).toEqual([5, 5, 0, 0]);

    expect(await inventory.setStock('resh', 9, { shards: 1 })).toEqual({
      sku: 'resh',
      available: 9,
      reserved: 3,
      committed: 0,
    });
    const one = await readStockItems(t, 'resh', 4);
    expect(one.main?.available).toBe(9);
    expect(one.shards.map((shard) => shard?.available)).toEqual([0, 0, 0, 0]);

    // The reservation's units go back to the shard they came from, and are reservable again.
    expect(await inventory.release('resh-order')).toMatchObject({ changed: true });
    expect((await inventory.getAvailability(['resh'])).get('resh')).toEqual({
      sku: 'resh',
      available: 12,
      reserved: 0,
      committed: 0,
    });
    const all = await inventory.reserve('resh-all', [{ sku: 'resh', quantity: 12 }], { holdMs: 60_000 });
    expect(all.ok).toBe(true);
    expect((await inventory.getAvailability(['resh'])).get('resh')).toMatchObject({ available: 0, reserved: 12 });
  });

  it('adjustStock adds over the shards and removes from them, never below zero, under concurrency', async () => {
    const { inventory } = t;
    await inventory.setStock('adj', 0, { shards: 4 });
    await Promise.all(Array.from({ length: 10 }, () => inventory.adjustStock('adj', 5)));
    expect((await inventory.getAvailability(['adj'])).get('adj')).toMatchObject({ available: 50, shards: 4 });
    const shards = (await readStockItems(t, 'adj', 4)).shards.map((shard) => shard?.available ?? 0);
    expect(shards.reduce((a, b) => a + b, 0)).toBe(50);

    const removals = await Promise.allSettled(Array.from({ length: 15 }, () => inventory.adjustStock('adj', -4)));
    expect(removals.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(12);
    for (const outcome of removals) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StockUnderflowError);
    }
    expect((await inventory.getAvailability(['adj'])).get('adj')).toMatchObject({ available: 2 });
    await expect(inventory.adjustStock('adj', -3)).rejects.toMatchObject({
      code: 'INVENTORY_STOCK_UNDERFLOW',
      available: 2,
    });
    for (const shard of (await readStockItems(t, 'adj', 4)).shards) expect(shard?.available).toBeGreaterThanOrEqual(0);
  });

  it('a bad shards option is refused naming the field, nothing written', async () => {
    const { inventory } = t;
    for (const shards of [0, 65, 1.5, Number.NaN, '4']) {
      const attempt = inventory.setStock('bad', 5, { shards: shards as number });
      await expect(attempt).rejects.toBeInstanceOf(InventoryInputError);
      await expect(attempt).rejects.toMatchObject({ field: 'options.shards' });
    }
    await expect(inventory.setStock('bad', 5, null as never)).rejects.toMatchObject({ field: 'options' });
    expect((await readStockItems(t, 'bad', 1)).main).toBeUndefined();
  });
});
