import { describe, expect, it } from 'vitest';
import { createTableInput, type DynamoTableDefinition, timeToLiveInput } from './table-definition.js';

const definition: DynamoTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'by-deadline', partitionKey: { name: 'shard', type: 'S' }, sortKey: { name: 'deadline', type: 'S' } },
  ],
};

describe('createTableInput', () => {
  it('declares every key attribute once, with keys-only indexes', () => {
    const input = createTableInput(definition, 'inventory');
    expect(input.AttributeDefinitions.map((a) => a.AttributeName)).toEqual(['pk', 'sk', 'shard', 'deadline']);
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.GlobalSecondaryIndexes?.[0]?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
    const simple = createTableInput({ partitionKey: { name: 'pk', type: 'S' }, timeToLiveAttribute: 't' }, 'idem');
    expect(simple.GlobalSecondaryIndexes).toBeUndefined();
  });

  it('refuses table names DynamoDB would refuse', () => {
    expect(() => createTableInput(definition, 'x')).toThrow(TypeError);
    expect(() => timeToLiveInput(definition, 'bad name')).toThrow(/tableName/);
    expect(timeToLiveInput(definition, 'inventory').TimeToLiveSpecification.AttributeName).toBe('expiresAt');
  });
});
