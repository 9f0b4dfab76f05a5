import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { Inventory } from './inventory.js';

// No request is sent: construction validates options only.
const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });

describe('Inventory options', () => {
  it('rejects a hostile table name', () => {
    expect(() => new Inventory({ client, tableName: 'inv"; DROP TABLE stock;--' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'tableName' }),
    );
  });

  it('names the bad option', () => {
    const bad: Array<[Partial<ConstructorParameters<typeof Inventory>[0]>, string]> = [
      [{ pendingShards: 0 }, 'pendingShards'],
      [{ pendingShards: 65 }, 'pendingShards'],
      [{ settledRetentionSeconds: -1 }, 'settledRetentionSeconds'],
      [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
      [{ retry: { baseDelayMs: 100, maxDelayMs: 10 } }, 'retry.maxDelayMs'],
    ];
    for (const [options, field] of bad) {
      expect(() => new Inventory({ client, tableName: 'inventory', ...options })).toThrow(
        expect.objectContaining({ field }),
      );
      expect(() => new Inventory({ client, tableName: 'inventory', ...options })).toThrow(InvalidInputError);
    }
  });

  it('validates reserve input before touching the network', async () => {
    const inventory = new Inventory({ client, tableName: 'inventory' });
    await expect(inventory.reserve('', [{ sku: 'a', quantity: 1 }], { ttlSeconds: 60 })).rejects.toMatchObject({
      field: 'orderId',
    });
    await expect(
      inventory.reserve('o'.repeat(300), [{ sku: 'é'.repeat(300), quantity: 1 }], { ttlSeconds: 60 }),
    ).rejects.toMatchObject({ field: 'lines[0].sku' });
  });
});
