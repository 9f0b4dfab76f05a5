import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCartSnapshotStore } from '../carts/cart-snapshot-store.js';
import { InventoryConfigError, InventoryInputError } from '../errors.js';
import { createInventory } from '../inventory.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory();
});
afterEach(() => t.drop());

const MAX_UNITS = 1_000_000_000_000;

describe('inventory bounds are typed errors naming the field, nothing written', () => {
  it('adjustStock refuses to take available above the limit setStock enforces', async () => {
    const { inventory } = t;
    await inventory.setStock('mug', MAX_UNITS - 1);
    await expect(inventory.adjustStock('mug', 2)).rejects.toMatchObject({
      code: 'INVENTORY_INVALID_INPUT',
      field: 'delta',
    });
    expect((await inventory.getAvailability(['mug'])).get('mug')?.available).toBe(MAX_UNITS - 1);
    // Up to the limit exactly is fine, and a new SKU starts from zero.
    expect((await inventory.adjustStock('mug', 1)).available).toBe(MAX_UNITS);
    expect((await inventory.adjustStock('new-sku', MAX_UNITS)).available).toBe(MAX_UNITS);
    await expect(inventory.adjustStock('new-sku', 1)).rejects.toBeInstanceOf(InventoryInputError);
  });

  it.each([
    ['NaN', Number.NaN],
    ['a Date (epoch milliseconds are expected)', new Date()],
    ['a string', '2026-01-01T00:00:00Z'],
    ['a negative number', -1],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('sweepExpired refuses now = %s', async (_, now) => {
    await expect(t.inventory.sweepExpired({ now: now as number })).rejects.toMatchObject({
      code: 'INVENTORY_INVALID_INPUT',
      field: 'options.now',
      httpStatus: 400,
    });
  });
});

describe('the now option', () => {
  it('a clock that is not a function is refused at creation', () => {
    expect(() => createInventory({ client: t.client, tableName: t.tableName, now: 'now' as never })).toThrow(
      expect.objectContaining({ code: 'INVENTORY_INVALID_CONFIG', field: 'now' }),
    );
    expect(() => createCartSnapshotStore({ client: t.client, tableName: t.tableName, now: 1 as never })).toThrow(
      expect.objectContaining({ code: 'INVENTORY_INVALID_CONFIG', field: 'now' }),
    );
  });

  it('a clock returning anything but epoch milliseconds is a typed error before any write', async () => {
    const broken = createInventory({ client: t.client, tableName: t.tableName, now: () => Number.NaN });
    // The clock of 0.x (`() => new Date()`) is refused, not misread.
    const dated = createInventory({ client: t.client, tableName: t.tableName, now: (() => new Date()) as never });
    const carts = createCartSnapshotStore({ client: t.client, tableName: t.tableName, now: () => -5 });
    await expect(broken.setStock('mug', 1)).rejects.toMatchObject({ code: 'INVENTORY_INVALID_CONFIG', field: 'now' });
    await expect(broken.reserve('o-1', [{ sku: 'mug', quantity: 1 }], { holdMs: 60_000 })).rejects.toMatchObject({
      field: 'now',
    });
    await expect(dated.setStock('mug', 1)).rejects.toBeInstanceOf(InventoryConfigError);
    await expect(broken.sweepExpired()).rejects.toMatchObject({ field: 'now' });
    await expect(carts.saveCartSnapshot('c', 'a', { lines: [] }, { ttlSeconds: 60 })).rejects.toMatchObject({
      field: 'now',
    });
    const scan = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }));
    expect(scan.Items ?? []).toEqual([]);
  });

  it('an injected clock sets the reservation deadline and drives the sweep', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    const inventory = createInventory({ client: t.client, tableName: t.tableName, now: () => now });
    await inventory.setStock('clocked', 2);
    const reserved = await inventory.reserve('order-clocked', [{ sku: 'clocked', quantity: 2 }], { holdMs: 90_000 });
    expect(reserved.ok && reserved.reservation.reservedAt.getTime()).toBe(now);
    expect(reserved.ok && reserved.reservation.reservedUntil.getTime()).toBe(now + 90_000);
    now += 89_999;
    expect(await inventory.sweepExpired()).toMatchObject({ examined: 0 });
    now += 1;
    expect(await inventory.sweepExpired()).toMatchObject({ examined: 1, expired: 1 });
    expect((await inventory.getAvailability(['clocked'])).get('clocked')).toMatchObject({ available: 2, reserved: 0 });
  });
});
