import type { DynamoTableDefinition } from '@checkout/core';

/** Name of the sparse index the expiry sweeper queries. */
export const PENDING_INDEX_NAME = 'pending-by-deadline';

/**
 * The inventory table. One table, three item kinds:
 *
 * | item | `pk` | `sk` | access pattern |
 * |---|---|---|---|
 * | stock | `SKU#<sku>` | `STOCK` | conditional decrement on reserve; `getAvailability` batch read |
 * | reservation | `ORDER#<orderId>` | `RESERVATION` | one per order: idempotent reserve, release, commit |
 * | cart snapshot | `CART#<customerId>` | `ATTEMPT#<attemptId>` | save / get one checkout attempt's cart |
 *
 * GSI `pending-by-deadline` (keys only, sparse): `pendingShard` = `PENDING#<0..shards-1>` (hash of
 * the order id), `pendingDeadline` = zero-padded deadline in epoch ms + `#<orderId>`. Only pending
 * reservations carry these attributes, so the sweeper reads exactly the reservations that may
 * expire, oldest first, and the index shrinks as reservations settle. Sharding spreads a flash
 * sale's reservation writes over several index partitions instead of one.
 *
 * TTL attribute `expiresAt` (epoch seconds) is set on cart snapshots and on settled reservations
 * (after their retention); never on a pending reservation, whose stock only the sweeper returns.
 *
 * Create the table with core's `createTableInput(inventoryTableDefinition, name)` and
 * `timeToLiveInput(inventoryTableDefinition, name)`, or deploy it with `@checkout/cdk`'s `InventoryTable`.
 *
 * @example
 * ```ts
 * import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
 * import { createTableInput, timeToLiveInput } from '@checkout/core';
 * import { inventoryTableDefinition } from '@checkout/inventory';
 *
 * const client = new DynamoDBClient({});
 * await client.send(new CreateTableCommand(createTableInput(inventoryTableDefinition, 'checkout-inventory')));
 * await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(inventoryTableDefinition, 'checkout-inventory')));
 * ```
 */
export const inventoryTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: PENDING_INDEX_NAME,
      partitionKey: { name: 'pendingShard', type: 'S' },
      sortKey: { name: 'pendingDeadline', type: 'S' },
    },
  ],
} as const satisfies DynamoTableDefinition;
