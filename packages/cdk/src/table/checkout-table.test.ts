import type { DynamoTableDefinition } from '@checkout/core';
import { idempotencyTableDefinition } from '@checkout/idempotency/dynamodb';
import { inventoryTableDefinition } from '@checkout/inventory';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CheckoutCdkConfigError, CheckoutCdkError } from '../errors.js';
import { logicalId, testStack } from '../test-support/checkout-fixture.js';
import { CheckoutTable } from './checkout-table.js';
import { IdempotencyTable } from './idempotency-table.js';
import { InventoryTable } from './inventory-table.js';
import { validateTableDefinition } from './validate-table-definition.js';

const withIndex: DynamoTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'byExpiry', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'N' } },
  ],
};

const stack = testStack('Tables');
const idempotency = new IdempotencyTable(stack, 'Idempotency', { definition: idempotencyTableDefinition });
const inventory = new InventoryTable(stack, 'Inventory', { definition: inventoryTableDefinition });
const custom = new InventoryTable(stack, 'InventoryWithIndex', { definition: withIndex, tableName: 'inventory' });
const resources = Template.fromStack(stack).toJSON().Resources;
const props = (table: CheckoutTable) => resources[logicalId(stack, table.table)].Properties;

describe('IdempotencyTable / InventoryTable', () => {
  it("deploy the keys and TTL attribute of the runtime packages' exported definitions", () => {
    expect(props(idempotency)).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(props(inventory)).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('are on-demand, point-in-time recoverable, deletion-protected and retained', () => {
    for (const table of [idempotency, inventory, custom]) {
      expect(props(table)).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      });
      expect(resources[logicalId(stack, table.table)]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('builds the indexes a definition declares', () => {
    expect(props(custom)).toMatchObject({
      TableName: 'inventory',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byExpiry',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(props(custom).BillingMode).toBe('PAY_PER_REQUEST');
  });

  const key = { name: 'pk', type: 'S' } as const;
  it.each([
    ['definition.partitionKey.name', { partitionKey: { name: '', type: 'S' }, timeToLiveAttribute: 'expiresAt' }],
    ['definition.partitionKey.type', { partitionKey: { name: 'pk', type: 'SS' }, timeToLiveAttribute: 'expiresAt' }],
    ['definition.timeToLiveAttribute', { partitionKey: key, timeToLiveAttribute: 'pk' }],
    ['definition.timeToLiveAttribute', { partitionKey: key, timeToLiveAttribute: 'expires at' }],
    ['definition.sortKey.name', { partitionKey: key, sortKey: key, timeToLiveAttribute: 'expiresAt' }],
    [
      'definition.globalSecondaryIndexes[1].indexName',
      {
        partitionKey: key,
        timeToLiveAttribute: 'expiresAt',
        globalSecondaryIndexes: [
          { indexName: 'gsi', partitionKey: { name: 'a', type: 'S' } },
          { indexName: 'gsi', partitionKey: { name: 'b', type: 'S' } },
        ],
      },
    ],
    [
      'definition.globalSecondaryIndexes[0].partitionKey',
      {
        partitionKey: key,
        timeToLiveAttribute: 'expiresAt',
        globalSecondaryIndexes: [{ indexName: 'gsi', partitionKey: { name: 'pk', type: 'N' } }],
      },
    ],
  ])('rejects a definition with a bad %s, naming it, before creating the table', (field, definition) => {
    const s = testStack();
    try {
      new CheckoutTable(s, 'Bad', { definition: definition as DynamoTableDefinition });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CheckoutCdkConfigError);
      expect(error).toBeInstanceOf(CheckoutCdkError);
      expect(error).toMatchObject({ code: 'CDK_INVALID_CONFIG', httpStatus: 500, field, constructPath: 'Test/Bad' });
    }
    expect(s.node.tryFindChild('Bad')?.node.children).toEqual([]);
  });

  it('rejects a missing definition (a JavaScript caller, or a cast) naming the prop', () => {
    const s = testStack();
    const build = () => new CheckoutTable(s, 'None', {} as { definition: DynamoTableDefinition });
    expect(build).toThrow(expect.objectContaining({ code: 'CDK_INVALID_CONFIG', field: 'definition' }));
  });

  it('validateTableDefinition names the field under the prop it is given', () => {
    const bad = { partitionKey: { name: 'pk', type: 'S' }, timeToLiveAttribute: 'pk' } as const;
    expect(() => validateTableDefinition('Stack/Orders', bad)).toThrow(
      expect.objectContaining({ field: 'definition.timeToLiveAttribute', constructPath: 'Stack/Orders' }),
    );
    expect(() => validateTableDefinition('Stack/Orders', bad, 'tables')).toThrow(
      expect.objectContaining({ field: 'tables.timeToLiveAttribute' }),
    );
    expect(() => validateTableDefinition('Stack/Orders', idempotencyTableDefinition)).not.toThrow();
  });
});
