import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { pendingDeadlineKey, pendingShardOf } from './keys.js';
import { createInventoryTableInput, inventoryTableDefinition, inventoryTimeToLiveInput } from './table-definition.js';

describe('inventory table definition', () => {
  it('follows the cross-package contract', () => {
    expect(inventoryTableDefinition.partitionKey).toEqual({ name: 'pk', type: 'S' });
    expect(inventoryTableDefinition.sortKey).toEqual({ name: 'sk', type: 'S' });
    expect(inventoryTableDefinition.timeToLiveAttribute).toBe('expiresAt');
    expect(inventoryTableDefinition.globalSecondaryIndexes.map((gsi) => gsi.indexName)).toEqual([
      'pending-by-deadline',
    ]);
  });

  it('produces an on-demand CreateTable input with every key attribute defined once', () => {
    const input = createInventoryTableInput('inventory');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.AttributeDefinitions?.map((attr) => attr.AttributeName)).toEqual([
      'pk',
      'sk',
      'pendingShard',
      'pendingDeadline',
    ]);
    expect(input.GlobalSecondaryIndexes?.[0]?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(inventoryTimeToLiveInput('inventory').TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  it('rejects a hostile table name', () => {
    expect(() => createInventoryTableInput('x"; DROP TABLE inventory')).toThrow(InvalidInputError);
    expect(() => inventoryTimeToLiveInput('')).toThrow(InvalidInputError);
  });
});

describe('pending index keys', () => {
  it('sort by deadline as strings do', () => {
    const keys = [1_700_000_000_000, 999, 1_700_000_000_001, 5].map((ms) => pendingDeadlineKey(ms, 'o'));
    const sorted = [...keys].sort();
    expect(sorted.map((key) => Number(key.split('#')[0]))).toEqual([5, 999, 1_700_000_000_000, 1_700_000_000_001]);
  });

  it('shard an order stably and within range', () => {
    expect(pendingShardOf('order-1', 8)).toBe(pendingShardOf('order-1', 8));
    const shards = new Set(Array.from({ length: 200 }, (_, i) => pendingShardOf(`order-${i}`, 8)));
    expect([...shards].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `PENDING#${i}`));
  });
});
