import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryInputError, StockUnderflowError } from '../errors.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory();
});
afterEach(() => t.drop());

describe('stock administration', () => {
  it('setStock sets available and keeps reserved/committed counts', async () => {
    const { inventory } = t;
    expect(await inventory.setStock('admin', 5)).toEqual({ sku: 'admin', available: 5, reserved: 0, committed: 0 });
    await inventory.reserve('admin-order', [{ sku: 'admin', quantity: 2 }], { holdMs: 60_000 });
    expect(await inventory.setStock('admin', 10)).toEqual({ sku: 'admin', available: 10, reserved: 2, committed: 0 });
  });

  it('adjustStock adds and removes atomically under concurrency, and refuses to go negative', async () => {
    const { inventory } = t;
    await inventory.setStock('adjust', 0);
    await Promise.all(Array.from({ length: 20 }, () => inventory.adjustStock('adjust', 5)));
    expect((await inventory.getAvailability(['adjust'])).get('adjust')?.available).toBe(100);
    const removals = await Promise.allSettled(Array.from({ length: 30 }, () => inventory.adjustStock('adjust', -4)));
    expect(removals.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(25);
    for (const outcome of removals) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StockUnderflowError);
    }
    expect((await inventory.getAvailability(['adjust'])).get('adjust')?.available).toBe(0);
    await expect(inventory.adjustStock('adjust', -1)).rejects.toMatchObject({
      code: 'INVENTORY_STOCK_UNDERFLOW',
      sku: 'adjust',
      available: 0,
    });
  });

  it('adjustStock creates an unknown SKU on a positive delta and refuses a negative one', async () => {
    const { inventory } = t;
    await expect(inventory.adjustStock('brand-new-neg', -1)).rejects.toBeInstanceOf(StockUnderflowError);
    expect(await inventory.adjustStock('brand-new', 3)).toEqual({
      sku: 'brand-new',
      available: 3,
      reserved: 0,
      committed: 0,
    });
  });

  it('getAvailability reads more than 100 SKUs, unknown ones as zero, duplicates once', async () => {
    const { inventory } = t;
    const skus = Array.from({ length: 150 }, (_, i) => `many-${i}`);
    await Promise.all(skus.slice(0, 120).map((sku, i) => inventory.setStock(sku, i)));
    const levels = await inventory.getAvailability([...skus, 'many-1']);
    expect(levels.size).toBe(150);
    expect(levels.get('many-7')?.available).toBe(7);
    expect(levels.get('many-149')).toEqual({ sku: 'many-149', available: 0, reserved: 0, committed: 0 });
  });

  it('rejects bad input with a typed error naming the field, writing nothing', async () => {
    const { inventory } = t;
    await expect(inventory.setStock('', 1)).rejects.toMatchObject({ code: 'INVENTORY_INVALID_INPUT', field: 'sku' });
    await expect(inventory.setStock('neg', -1)).rejects.toMatchObject({ field: 'available' });
    await expect(inventory.setStock('frac', 1.5)).rejects.toMatchObject({ field: 'available' });
    await expect(inventory.adjustStock('zero', 0)).rejects.toMatchObject({ field: 'delta' });
    await expect(inventory.getAvailability(['ok', 'bad\u0000'])).rejects.toMatchObject({ field: 'skus[1]' });
    await expect(inventory.reserve('o', [{ sku: 'x', quantity: 0 }], { holdMs: 60_000 })).rejects.toMatchObject({
      field: 'lines[0].quantity',
    });
    await expect(inventory.reserve('o', [], { holdMs: 60_000 })).rejects.toBeInstanceOf(InventoryInputError);
    await expect(inventory.reserve('o', [{ sku: 'x', quantity: 1 }], { holdMs: 0 })).rejects.toMatchObject({
      field: 'options.holdMs',
    });
    const levels = await inventory.getAvailability(['neg', 'frac', 'zero', 'x']);
    expect([...levels.values()].every((level) => level.available === 0 && level.reserved === 0)).toBe(true);
    expect(await inventory.getReservation('o')).toBeUndefined();
  });
});
