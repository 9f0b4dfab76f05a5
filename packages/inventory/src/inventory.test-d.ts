import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BackoffOptions, CheckoutError } from '@checkout/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CartSnapshot,
  type CartSnapshotStore,
  createCartSnapshotStore,
  createInventory,
  type Inventory,
  type InventoryError,
  type InventoryErrorCode,
  type InventoryOptions,
  type Reservation,
  type ReserveOptions,
  type ReserveResult,
  type SetStockOptions,
  type StockLevel,
  type StockShortage,
  type TransactionContentionError,
} from './index.js';

declare const client: DynamoDBClient;

describe('createInventory', () => {
  it('returns the Inventory interface and takes the conventions option shapes', () => {
    expectTypeOf(createInventory({ client, tableName: 'inventory' })).toEqualTypeOf<Inventory>();
    expectTypeOf<InventoryOptions['backoff']>().toEqualTypeOf<BackoffOptions | undefined>();
    expectTypeOf<InventoryOptions['maxAttempts']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<NonNullable<InventoryOptions['now']>>().returns.toEqualTypeOf<number>();
    createInventory({ client, tableName: 'inventory', now: () => Date.now(), backoff: { maxMs: 100 }, maxAttempts: 3 });
    // @ts-expect-error the clock returns epoch milliseconds, not a Date
    createInventory({ client, tableName: 'inventory', now: () => new Date() });
    // @ts-expect-error retry was replaced by maxAttempts + backoff
    createInventory({ client, tableName: 'inventory', retry: { maxAttempts: 3 } });
    // @ts-expect-error backoff is { baseMs, maxMs }
    createInventory({ client, tableName: 'inventory', backoff: { baseDelayMs: 10 } });
    // @ts-expect-error client and tableName are required
    createInventory({ tableName: 'inventory' });
  });
});

describe('setStock', () => {
  it('takes an optional { shards } and returns a StockLevel whose shards is optional', () => {
    const inventory = createInventory({ client, tableName: 'inventory' });
    expectTypeOf(inventory.setStock('sku', 5)).toEqualTypeOf<Promise<StockLevel>>();
    expectTypeOf(inventory.setStock('sku', 5, { shards: 16 })).toEqualTypeOf<Promise<StockLevel>>();
    expectTypeOf<SetStockOptions['shards']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<StockLevel['shards']>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error shards is a number
    inventory.setStock('sku', 5, { shards: '16' });
  });
});

describe('reserve', () => {
  it('takes holdMs and returns a result narrowed by ok', async () => {
    const inventory = createInventory({ client, tableName: 'inventory' });
    expectTypeOf<ReserveOptions>().toEqualTypeOf<{ readonly holdMs: number }>();
    // @ts-expect-error the hold is in milliseconds: holdMs
    await inventory.reserve('o', [{ sku: 'a', quantity: 1 }], { ttlSeconds: 60 });
    const result = await inventory.reserve('o', [{ sku: 'a', quantity: 1 }], { holdMs: 60_000 });
    expectTypeOf(result).toEqualTypeOf<ReserveResult>();
    if (result.ok) {
      expectTypeOf(result.reservation).toEqualTypeOf<Reservation>();
      expectTypeOf(result.replayed).toEqualTypeOf<boolean>();
      // @ts-expect-error shortages exist only when ok is false
      void result.shortages;
    } else {
      expectTypeOf(result.reason).toEqualTypeOf<'INSUFFICIENT_STOCK'>();
      expectTypeOf(result.shortages).toEqualTypeOf<readonly StockShortage[]>();
      // @ts-expect-error no reservation when sold out
      void result.reservation;
    }
  });

  it('sweeps with now in epoch milliseconds', async () => {
    const inventory = createInventory({ client, tableName: 'inventory' });
    await inventory.sweepExpired({ now: Date.now(), limit: 10 });
    // @ts-expect-error now is epoch milliseconds
    await inventory.sweepExpired({ now: new Date() });
  });
});

describe('cart snapshots', () => {
  it('type the cart by the parser, unknown without one', async () => {
    const carts = createCartSnapshotStore({ client, tableName: 'inventory' });
    expectTypeOf(carts).toEqualTypeOf<CartSnapshotStore>();
    const raw = await carts.getCartSnapshot('c', 'a');
    expectTypeOf(raw).toEqualTypeOf<CartSnapshot<unknown> | undefined>();
    const parsed = await carts.getCartSnapshot('c', 'a', { parse: (value) => value as { total: number } });
    expectTypeOf(parsed).toEqualTypeOf<CartSnapshot<{ total: number }> | undefined>();
  });
});

describe('errors', () => {
  it('extend CheckoutError with prefixed codes', () => {
    expectTypeOf<InventoryError>().toExtend<CheckoutError>();
    expectTypeOf<InventoryError['code']>().toEqualTypeOf<InventoryErrorCode>();
    expectTypeOf<TransactionContentionError['retryAfterSeconds']>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error every code is prefixed INVENTORY_
    const code: InventoryErrorCode = 'RESERVATION_NOT_FOUND';
    void code;
  });
});
