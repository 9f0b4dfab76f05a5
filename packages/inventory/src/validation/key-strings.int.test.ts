import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CartSnapshotStore, createCartSnapshotStore } from '../carts/cart-snapshot-store.js';
import { InventoryInputError } from '../errors.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

// DynamoDB (Local, measured) stores strings that differ only in an unpaired UTF-16 surrogate as ONE key:
// `mug-\ud800` and `mug-\udc00` were the same stock item. Every id that goes into a key is refused
// unless it is well-formed, before any request.
let t: TestInventory;
let carts: CartSnapshotStore;
beforeEach(async () => {
  t = await createTestInventory();
  carts = createCartSnapshotStore({ client: t.client, tableName: t.tableName });
});
afterEach(() => t.drop());

async function itemCount(): Promise<number> {
  const scan = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }));
  return scan.Items?.length ?? 0;
}

async function refusal(call: () => Promise<unknown>): Promise<unknown> {
  return call().then(
    () => 'no error',
    (error: unknown) => error,
  );
}

describe('ids that DynamoDB cannot keep apart', () => {
  it('two SKUs that differ only in an unpaired surrogate never share stock', async () => {
    const { inventory } = t;
    // The well-formed SKU those strings would collapse into is a SKU of its own.
    await inventory.setStock('mug-\ufffd', 5);
    const before = await itemCount();

    expect(await refusal(() => inventory.setStock('mug-\ud800', 5))).toMatchObject({
      code: 'INVENTORY_INVALID_INPUT',
      field: 'sku',
    });
    // A sold-out SKU cannot be reserved out of another SKU's stock.
    const reserve = await refusal(() =>
      inventory.reserve(
        'order-1',
        [
          { sku: 'mug-\ufffd', quantity: 1 },
          { sku: 'mug-\udc00', quantity: 1 },
        ],
        { holdMs: 60_000 },
      ),
    );
    expect(reserve).toBeInstanceOf(InventoryInputError);
    expect(reserve).toMatchObject({ field: 'lines[1].sku', httpStatus: 400 });
    expect(await itemCount()).toBe(before);
    expect(await inventory.getReservation('order-1')).toBeUndefined();
    expect((await inventory.getAvailability(['mug-\ufffd'])).get('mug-\ufffd')).toEqual({
      sku: 'mug-\ufffd',
      available: 5,
      reserved: 0,
      committed: 0,
    });
  });

  it('every call that builds a key refuses U+0000 and unpaired surrogates, naming the field, writing nothing', async () => {
    const { inventory } = t;
    await inventory.setStock('tee', 3);
    await inventory.reserve('order-ok', [{ sku: 'tee', quantity: 1 }], { holdMs: 60_000 });
    await carts.saveCartSnapshot('cust-ok', 'attempt-ok', { lines: [] }, { ttlSeconds: 60 });
    const before = await itemCount();
    for (const bad of ['a\u0000b', 'a\ud800b', 'a\udfffb', '\udbff', 'a\ud83d']) {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['sku', () => inventory.setStock(bad, 1)],
        ['sku', () => inventory.adjustStock(bad, 1)],
        ['skus[1]', () => inventory.getAvailability(['tee', bad])],
        ['orderId', () => inventory.reserve(bad, [{ sku: 'tee', quantity: 1 }], { holdMs: 60_000 })],
        ['lines[0].sku', () => inventory.reserve('order-new', [{ sku: bad, quantity: 1 }], { holdMs: 60_000 })],
        ['orderId', () => inventory.commit(bad)],
        ['orderId', () => inventory.release(bad)],
        ['orderId', () => inventory.getReservation(bad)],
        ['customerId', () => carts.saveCartSnapshot(bad, 'attempt-1', {}, { ttlSeconds: 60 })],
        ['attemptId', () => carts.saveCartSnapshot('cust-1', bad, {}, { ttlSeconds: 60 })],
        ['customerId', () => carts.getCartSnapshot(bad, 'attempt-1')],
        ['attemptId', () => carts.getCartSnapshot('cust-1', bad)],
      ];
      for (const [field, call] of calls) {
        expect(await refusal(call), `${field} ${JSON.stringify(bad)}`).toMatchObject({
          code: 'INVENTORY_INVALID_INPUT',
          field,
        });
      }
    }
    expect(await itemCount()).toBe(before);
    expect((await inventory.getAvailability(['tee'])).get('tee')).toMatchObject({ available: 2, reserved: 1 });
    // Well-formed text outside the BMP stays a key of its own.
    await inventory.setStock('mug-😀', 2);
    expect((await inventory.getAvailability(['mug-😀', 'mug-\ufffd'])).get('mug-\ufffd')).toMatchObject({
      available: 0,
    });
  });
});
