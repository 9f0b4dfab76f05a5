import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CartSnapshotStore } from '../carts/cart-snapshot-store.js';
import { InvalidInputError } from '../errors.js';
import { Inventory } from '../inventory.js';
import { createTestInventory, type TestInventory } from '../testing-support/test-table.js';

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
    await expect(inventory.adjustStock('mug', 2)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'delta' });
    expect((await inventory.getAvailability(['mug'])).get('mug')?.available).toBe(MAX_UNITS - 1);
    // Up to the limit exactly is fine, and a new SKU starts from zero.
    expect((await inventory.adjustStock('mug', 1)).available).toBe(MAX_UNITS);
    expect((await inventory.adjustStock('new-sku', MAX_UNITS)).available).toBe(MAX_UNITS);
    await expect(inventory.adjustStock('new-sku', 1)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a string', '2026-01-01T00:00:00Z'],
    ['a number', 0],
  ])('sweepExpired refuses now = %s', async (_, now) => {
    await expect(t.inventory.sweepExpired({ now: now as unknown as Date })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'options.now',
    });
  });
});

describe('the now option', () => {
  it('a clock that is not a function is refused at construction', () => {
    expect(() => new Inventory({ client: t.client, tableName: t.tableName, now: 'now' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'now' }),
    );
    expect(() => new CartSnapshotStore({ client: t.client, tableName: t.tableName, now: 1 as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'now' }),
    );
  });

  it('a clock returning an invalid Date is a typed error before any write', async () => {
    const broken = new Inventory({ client: t.client, tableName: t.tableName, now: () => new Date(Number.NaN) });
    const carts = new CartSnapshotStore({ client: t.client, tableName: t.tableName, now: () => new Date('x') });
    await expect(broken.setStock('mug', 1)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'now' });
    await expect(broken.reserve('o-1', [{ sku: 'mug', quantity: 1 }], { ttlSeconds: 60 })).rejects.toMatchObject({
      field: 'now',
    });
    await expect(carts.saveCartSnapshot('c', 'a', { lines: [] }, { ttlSeconds: 60 })).rejects.toMatchObject({
      field: 'now',
    });
    const scan = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }));
    expect(scan.Items ?? []).toEqual([]);
  });
});
