import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** Key attribute type in DynamoDB: string, number or binary. */
export type DynamoKeyType = 'S' | 'N' | 'B';

/** A plain description of a DynamoDB table a checkout-kit package owns (for IaC and tests). */
export interface DynamoTableDefinition {
  readonly partitionKey: { readonly name: string; readonly type: DynamoKeyType };
  readonly sortKey?: { readonly name: string; readonly type: DynamoKeyType };
  /** Attribute holding epoch seconds for DynamoDB TTL. */
  readonly timeToLiveAttribute: string;
  readonly globalSecondaryIndexes?: ReadonlyArray<{
    readonly indexName: string;
    readonly partitionKey: { readonly name: string; readonly type: DynamoKeyType };
    readonly sortKey?: { readonly name: string; readonly type: DynamoKeyType };
  }>;
}

/** The idempotency table: partition key `pk` (S), no sort key, TTL on `expiresAt` (epoch seconds). */
export const idempotencyTableDefinition: DynamoTableDefinition = Object.freeze({
  partitionKey: Object.freeze({ name: 'pk', type: 'S' as const }),
  timeToLiveAttribute: 'expiresAt',
});

/** `CreateTableCommandInput` for the idempotency table (on-demand billing). TTL is a separate call: see {@link createIdempotencyTable}. */
export function idempotencyCreateTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey } = idempotencyTableDefinition;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: partitionKey.name, AttributeType: partitionKey.type }],
    KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
  };
}

/** Creates the table, waits until it is active and turns TTL on (tests, scripts; use IaC in production). */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(idempotencyCreateTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: idempotencyTableDefinition.timeToLiveAttribute, Enabled: true },
    }),
  );
}
