/** A DynamoDB key attribute: name and scalar type. */
export interface DynamoKeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/**
 * The DynamoDB table contract shared by the runtime packages and `@checkout/cdk`: the package that
 * reads and writes a table exports its definition (`idempotencyTableDefinition`,
 * `inventoryTableDefinition`), and the construct deploys exactly those keys, indexes and TTL.
 */
export interface DynamoTableDefinition {
  readonly partitionKey: DynamoKeyAttribute;
  readonly sortKey?: DynamoKeyAttribute;
  /** Attribute holding epoch seconds for DynamoDB TTL. */
  readonly timeToLiveAttribute: string;
  /** Indexes, all projecting keys only. */
  readonly globalSecondaryIndexes?: ReadonlyArray<{
    readonly indexName: string;
    readonly partitionKey: DynamoKeyAttribute;
    readonly sortKey?: DynamoKeyAttribute;
  }>;
}

/** `CreateTable` input (a plain object the AWS SDK's `CreateTableCommand` accepts). */
export interface DynamoCreateTableInput {
  readonly TableName: string;
  readonly BillingMode: 'PAY_PER_REQUEST';
  readonly AttributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
  readonly KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  readonly GlobalSecondaryIndexes?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
    Projection: { ProjectionType: 'KEYS_ONLY' };
  }>;
}

/** `UpdateTimeToLive` input (a plain object the AWS SDK's `UpdateTimeToLiveCommand` accepts). */
export interface DynamoTimeToLiveInput {
  readonly TableName: string;
  readonly TimeToLiveSpecification: { AttributeName: string; Enabled: true };
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Why DynamoDB would refuse `name` as a table name, or `undefined`. */
export function tableNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    return `must be 3-255 characters of A-Z a-z 0-9 _ . - (DynamoDB's rule), got ${JSON.stringify(String(name)).slice(0, 80)}`;
  }
  return undefined;
}

function keySchema(partitionKey: DynamoKeyAttribute, sortKey: DynamoKeyAttribute | undefined) {
  const schema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }> = [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
  ];
  if (sortKey !== undefined) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

/**
 * `CreateTable` input for a table of `definition` (on-demand billing, indexes projecting keys only).
 * Enable TTL afterwards with {@link timeToLiveInput}. Throws a `TypeError` for a name DynamoDB
 * would refuse.
 *
 * @example
 * ```ts
 * import { createTableInput, type DynamoTableDefinition } from '@checkout/core';
 *
 * const definition: DynamoTableDefinition = { partitionKey: { name: 'pk', type: 'S' }, timeToLiveAttribute: 'expiresAt' };
 * createTableInput(definition, 'idempotency').KeySchema; // [{ AttributeName: 'pk', KeyType: 'HASH' }]
 * ```
 */
export function createTableInput(definition: DynamoTableDefinition, tableName: string): DynamoCreateTableInput {
  const problem = tableNameProblem(tableName);
  if (problem !== undefined) throw new TypeError(`tableName ${problem}`);
  const attributes = new Map<string, 'S' | 'N' | 'B'>();
  const declare = (key: DynamoKeyAttribute | undefined) => {
    if (key !== undefined) attributes.set(key.name, key.type);
  };
  declare(definition.partitionKey);
  declare(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes ?? []) {
    declare(index.partitionKey);
    declare(index.sortKey);
  }
  const input: DynamoCreateTableInput = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([name, type]) => ({ AttributeName: name, AttributeType: type })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
  };
  const indexes = definition.globalSecondaryIndexes ?? [];
  if (indexes.length === 0) return input;
  return {
    ...input,
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'KEYS_ONLY' as const },
    })),
  };
}

/** `UpdateTimeToLive` input that turns TTL on for `definition.timeToLiveAttribute`. */
export function timeToLiveInput(definition: DynamoTableDefinition, tableName: string): DynamoTimeToLiveInput {
  const problem = tableNameProblem(tableName);
  if (problem !== undefined) throw new TypeError(`tableName ${problem}`);
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
  };
}
