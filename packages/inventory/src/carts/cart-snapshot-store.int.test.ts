import { DescribeTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CartTooLargeError, InventoryInputError } from '../errors.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';
import { type CartSnapshotStore, createCartSnapshotStore, MAX_CART_BYTES } from './cart-snapshot-store.js';

let t: TestInventory;
let carts: CartSnapshotStore;
beforeEach(async () => {
  t = await createTestInventory();
  carts = createCartSnapshotStore({ client: t.client, tableName: t.tableName });
});
afterEach(() => t.drop());

const cart = {
  currency: 'EUR',
  lines: [
    { sku: 'mug', quantity: 2, unitPriceMinor: 1299 },
    { sku: 'tee', quantity: 1, unitPriceMinor: 2500, note: 'größe M ✓' },
  ],
  totalMinor: 5098,
};

describe('cart snapshots', () => {
  it('round-trips a cart and sets the TTL attribute in epoch seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const saved = await carts.saveCartSnapshot('cust-1', 'attempt-1', cart, { ttlSeconds: 900 });
    const read = await carts.getCartSnapshot('cust-1', 'attempt-1');
    expect(read?.cart).toEqual(cart);
    expect(read?.expiresAt).toEqual(saved.expiresAt);

    const raw = await t.client.send(
      new GetItemCommand({
        TableName: t.tableName,
        Key: { pk: { S: 'CART#cust-1' }, sk: { S: 'ATTEMPT#attempt-1' } },
        ConsistentRead: true,
      }),
    );
    const expiresAt = Number(raw.Item?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900);
    expect(expiresAt).toBeLessThanOrEqual(before + 902);
    const ttl = await t.client.send(new DescribeTimeToLiveCommand({ TableName: t.tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });

  it('keeps attempts of one customer apart and replaces a re-saved attempt', async () => {
    await carts.saveCartSnapshot('cust-2', 'a', { v: 1 }, { ttlSeconds: 60 });
    await carts.saveCartSnapshot('cust-2', 'b', { v: 2 }, { ttlSeconds: 60 });
    await carts.saveCartSnapshot('cust-2', 'a', { v: 3 }, { ttlSeconds: 60 });
    expect((await carts.getCartSnapshot('cust-2', 'a'))?.cart).toEqual({ v: 3 });
    expect((await carts.getCartSnapshot('cust-2', 'b'))?.cart).toEqual({ v: 2 });
    expect(await carts.getCartSnapshot('cust-3', 'a')).toBeUndefined();
  });

  it('reads an expired snapshot as absent even before DynamoDB TTL deletes it', async () => {
    await carts.saveCartSnapshot('cust-4', 'old', cart, { ttlSeconds: 60 });
    const future = createCartSnapshotStore({
      client: t.client,
      tableName: t.tableName,
      now: () => Date.now() + 120_000,
    });
    expect(await future.getCartSnapshot('cust-4', 'old')).toBeUndefined();
    expect(await carts.getCartSnapshot('cust-4', 'old')).toBeDefined();
  });

  it('validates the stored cart with the caller’s parser', async () => {
    await carts.saveCartSnapshot('cust-5', 'p', { total: 'not a number' }, { ttlSeconds: 60 });
    const parse = (value: unknown) => {
      const total = (value as { total?: unknown }).total;
      if (typeof total !== 'number') throw new TypeError('total must be a number');
      return { total };
    };
    await expect(carts.getCartSnapshot('cust-5', 'p', { parse })).rejects.toThrow('total must be a number');
  });

  it('rejects carts JSON cannot hold or DynamoDB cannot store, writing nothing', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(carts.saveCartSnapshot('cust-6', 'x', cyclic, { ttlSeconds: 60 })).rejects.toMatchObject({
      code: 'INVENTORY_INVALID_INPUT',
      field: 'cart',
    });
    await expect(carts.saveCartSnapshot('cust-6', 'x', undefined, { ttlSeconds: 60 })).rejects.toBeInstanceOf(
      InventoryInputError,
    );
    const huge = { blob: 'x'.repeat(MAX_CART_BYTES) };
    await expect(carts.saveCartSnapshot('cust-6', 'x', huge, { ttlSeconds: 60 })).rejects.toBeInstanceOf(
      CartTooLargeError,
    );
    await expect(carts.saveCartSnapshot('cust-6', 'x', {}, { ttlSeconds: -5 })).rejects.toMatchObject({
      field: 'options.ttlSeconds',
    });
    expect(await carts.getCartSnapshot('cust-6', 'x')).toBeUndefined();
  });

  it('rejects a hostile table name before any request', () => {
    expect(() => createCartSnapshotStore({ client: t.client, tableName: 'inventory"; DROP TABLE x;--' })).toThrow(
      expect.objectContaining({ code: 'INVENTORY_INVALID_CONFIG', field: 'tableName', httpStatus: 500 }),
    );
  });
});
