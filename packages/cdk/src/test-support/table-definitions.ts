import type { DynamoTableDefinition } from '@checkout/core';

/**
 * Test data: table definitions of the two shapes the runtime packages export (a key-value table, and a
 * table with a sort key). The real `idempotencyTableDefinition` / `inventoryTableDefinition` are deployed
 * by the example app's tests (`examples/checkout-service/infra`).
 */
export const keyValueDefinition: DynamoTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

export const sortedDefinition: DynamoTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};
