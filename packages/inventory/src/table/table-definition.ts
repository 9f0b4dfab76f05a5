import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from '@aws-sdk/client-dynamodb';
import { validateTableName } from '../validation/validate-input.js';

/** A DynamoDB key attribute: its name and scalar type. */
export interface DynamoKeyAttribute {
  /** Attribute name. */
  readonly name: string;
  /** DynamoDB scalar type: string, number or binary. */
  readonly type: 'S' | 'N' | 'B';
}

/**
 * The shape every checkout-kit package that owns a DynamoDB table exports, so infrastructure code
 * (CDK, Terraform, test setup) can create the table without knowing the package's internals.
 */
export interface DynamoTableDefinition {
  /** The table's partition (hash) key. */
  readonly partitionKey: DynamoKeyAttribute;
  /** The table's sort (range) key, if any. */
  readonly sortKey?: DynamoKeyAttribute;
  /** Attribute holding epoch seconds for DynamoDB TTL. */
  readonly timeToLiveAttribute: string;
  /** Global secondary indexes the package queries. */
  readonly globalSecondaryIndexes?: ReadonlyArray<{
    readonly indexName: string;
    readonly partitionKey: DynamoKeyAttribute;
    readonly sortKey?: DynamoKeyAttribute;
  }>;
}

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

/**
 * `CreateTable` input for the inventory table (on-demand billing, the sweeper's index projecting keys
 * only). Enable TTL afterwards with {@link inventoryTimeToLiveInput}.
 */
export function createInventoryTableInput(tableName: string): CreateTableCommandInput {
  validateTableName(tableName);
  const def = inventoryTableDefinition;
  const attributes = [
    def.partitionKey,
    def.sortKey,
    ...def.globalSecondaryIndexes.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((attr) => ({ AttributeName: attr.name, AttributeType: attr.type })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    })),
  };
}

/** `UpdateTimeToLive` input that enables TTL on `expiresAt` for the inventory table. */
export function inventoryTimeToLiveInput(tableName: string): UpdateTimeToLiveCommandInput {
  validateTableName(tableName);
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: inventoryTableDefinition.timeToLiveAttribute, Enabled: true },
  };
}
