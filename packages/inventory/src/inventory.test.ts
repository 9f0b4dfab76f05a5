import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isCheckoutError, toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import { createCartSnapshotStore } from './carts/cart-snapshot-store.js';
import { InventoryConfigError, InventoryError } from './errors.js';
import { createInventory, type InventoryOptions } from './inventory.js';

// No request is sent: creation validates options only.
const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });

describe('createInventory options', () => {
  it('rejects a hostile table name', () => {
    expect(() => createInventory({ client, tableName: 'inv"; DROP TABLE stock;--' })).toThrow(
      expect.objectContaining({ code: 'INVENTORY_INVALID_CONFIG', field: 'tableName', httpStatus: 500 }),
    );
    expect(() => createCartSnapshotStore({ client, tableName: 'ab' })).toThrow(
      expect.objectContaining({ code: 'INVENTORY_INVALID_CONFIG', field: 'tableName' }),
    );
  });

  it('names the bad option with an InventoryConfigError', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ pendingShards: 0 }, 'pendingShards'],
      [{ pendingShards: 65 }, 'pendingShards'],
      [{ pendingShards: 1.5 }, 'pendingShards'],
      [{ settledRetentionSeconds: -1 }, 'settledRetentionSeconds'],
      [{ settledRetentionSeconds: 0.5 }, 'settledRetentionSeconds'],
      [{ maxAttempts: 0 }, 'maxAttempts'],
      [{ maxAttempts: 1001 }, 'maxAttempts'],
      [{ backoff: { baseMs: 100, maxMs: 10 } }, 'backoff.baseMs'],
      [{ backoff: { baseMs: -1 } }, 'backoff.baseMs'],
      [{ backoff: { maxMs: Number.NaN } }, 'backoff.maxMs'],
      [{ backoff: { maxMs: 600_001 } }, 'backoff.maxMs'],
      [{ now: 'now' }, 'now'],
      [{ observer: { error: 'log' } }, 'observer'],
      [{ observer: null }, 'observer'],
      // The 0.x option, refused rather than silently ignored.
      [{ retry: { maxAttempts: 3 } }, 'retry'],
      [{ client: {} }, 'client'],
      [{ client: undefined }, 'client'],
    ];
    for (const [options, field] of bad) {
      const create = () => createInventory({ client, tableName: 'inventory', ...options } as InventoryOptions);
      expect(create, field).toThrow(expect.objectContaining({ field, code: 'INVENTORY_INVALID_CONFIG' }));
      expect(create, field).toThrow(InventoryConfigError);
    }
    expect(() => createInventory(undefined as never)).toThrow(expect.objectContaining({ field: 'options' }));
  });

  it('accepts the documented bounds', () => {
    expect(() =>
      createInventory({
        client,
        tableName: 'inventory',
        pendingShards: 64,
        settledRetentionSeconds: 366 * 24 * 3600,
        maxAttempts: 1000,
        backoff: { baseMs: 0, maxMs: 600_000 },
        now: () => 0,
        observer: {},
      }),
    ).not.toThrow();
  });

  it('validates reserve input before touching the network', async () => {
    const inventory = createInventory({ client, tableName: 'inventory' });
    await expect(inventory.reserve('', [{ sku: 'a', quantity: 1 }], { holdMs: 60_000 })).rejects.toMatchObject({
      code: 'INVENTORY_INVALID_INPUT',
      httpStatus: 400,
      field: 'orderId',
    });
    await expect(
      inventory.reserve('o'.repeat(300), [{ sku: 'é'.repeat(300), quantity: 1 }], { holdMs: 60_000 }),
    ).rejects.toMatchObject({ field: 'lines[0].sku' });
    for (const holdMs of [0, -1, 1.5, 31 * 24 * 3600 * 1000 + 1, Number.NaN]) {
      await expect(inventory.reserve('o', [{ sku: 'a', quantity: 1 }], { holdMs })).rejects.toMatchObject({
        field: 'options.holdMs',
      });
    }
    // The 0.x option name is named, not read as "missing".
    await expect(
      inventory.reserve('o', [{ sku: 'a', quantity: 1 }], { ttlSeconds: 60 } as never),
    ).rejects.toMatchObject({ field: 'options.ttlSeconds', message: expect.stringContaining('holdMs') });
    await expect(inventory.sweepExpired({ limit: 0 })).rejects.toMatchObject({ field: 'options.limit' });
    await expect(inventory.sweepExpired({ concurrency: 65 })).rejects.toMatchObject({ field: 'options.concurrency' });
  });
});

describe('inventory errors', () => {
  it('are CheckoutErrors that core maps to HTTP answers, with details for the caller', async () => {
    const inventory = createInventory({ client, tableName: 'inventory' });
    const tooMany = await inventory
      .reserve(
        'o',
        Array.from({ length: 100 }, (_, i) => ({ sku: `s${i}`, quantity: 1 })),
        { holdMs: 1_000 },
      )
      .catch((error: unknown) => error);
    expect(tooMany).toBeInstanceOf(InventoryError);
    expect(isCheckoutError(tooMany)).toBe(true);
    const answer = toHttpResponse(tooMany);
    expect(answer?.status).toBe(400);
    expect(JSON.parse(answer?.body ?? '{}')).toEqual({
      error: {
        code: 'INVENTORY_TOO_MANY_LINES',
        message: expect.stringContaining('100 distinct SKUs'),
        field: 'lines',
        lineCount: 100,
        maxLines: 99,
      },
    });
    const config = (() => {
      try {
        return createInventory({ client, tableName: 'x' });
      } catch (error) {
        return error;
      }
    })();
    // A configuration fault is the server's: 500, message hidden.
    expect(toHttpResponse(config)).toMatchObject({ status: 500 });
    expect(JSON.parse(toHttpResponse(config)?.body ?? '{}').error.message).toBe('Internal error');
  });
});
