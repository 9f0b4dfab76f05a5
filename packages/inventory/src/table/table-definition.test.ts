import { createTableInput, timeToLiveInput } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import { pendingDeadlineKey, pendingShardOf } from './keys.js';
import { inventoryTableDefinition } from './table-definition.js';

describe('inventory table definition', () => {
  it('follows the cross-package contract', () => {
    expect(inventoryTableDefinition.partitionKey).toEqual({ name: 'pk', type: 'S' });
    expect(inventoryTableDefinition.sortKey).toEqual({ name: 'sk', type: 'S' });
    expect(inventoryTableDefinition.timeToLiveAttribute).toBe('expiresAt');
    expect(inventoryTableDefinition.globalSecondaryIndexes.map((gsi) => gsi.indexName)).toEqual([
      'pending-by-deadline',
    ]);
  });

  it('gives an on-demand CreateTable input (core createTableInput) with every key attribute defined once', () => {
    const input = createTableInput(inventoryTableDefinition, 'inventory');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.AttributeDefinitions?.map((attr) => attr.AttributeName)).toEqual([
      'pk',
      'sk',
      'pendingShard',
      'pendingDeadline',
    ]);
    expect(input.GlobalSecondaryIndexes?.[0]?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(timeToLiveInput(inventoryTableDefinition, 'inventory').TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  it('rejects a hostile table name', () => {
    expect(() => createTableInput(inventoryTableDefinition, 'x"; DROP TABLE inventory')).toThrow(TypeError);
    expect(() => timeToLiveInput(inventoryTableDefinition, '')).toThrow(TypeError);
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
