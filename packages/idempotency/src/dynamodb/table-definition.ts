import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, type DynamoTableDefinition, timeToLiveInput } from '@checkout/core';

/**
 * The idempotency table: partition key `pk` (S), no sort key, TTL on `expiresAt` (epoch seconds).
 * Build the AWS calls with `createTableInput` / `timeToLiveInput` of `@checkout/core`, or deploy it
 * with `IdempotencyTable` of `@checkout/cdk`.
 *
 * @example
 * ```ts
 * import { createTableInput, timeToLiveInput } from '@checkout/core';
 * import { idempotencyTableDefinition } from '@checkout/idempotency/dynamodb';
 *
 * const create = createTableInput(idempotencyTableDefinition, 'checkout-idempotency');
 * const ttl = timeToLiveInput(idempotencyTableDefinition, 'checkout-idempotency');
 * ```
 */
export const idempotencyTableDefinition: DynamoTableDefinition = Object.freeze({
  partitionKey: Object.freeze({ name: 'pk', type: 'S' as const }),
  timeToLiveAttribute: 'expiresAt',
});

/**
 * Creates the idempotency table (on-demand), waits until it is active and turns TTL on: for tests
 * and scripts (deploy it with IaC in production).
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createIdempotencyTable } from '@checkout/idempotency/dynamodb';
 *
 * await createIdempotencyTable(new DynamoDBClient({ endpoint: 'http://localhost:8000' }), 'idempotency-test');
 * ```
 */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(idempotencyTableDefinition, tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(idempotencyTableDefinition, tableName)));
}
