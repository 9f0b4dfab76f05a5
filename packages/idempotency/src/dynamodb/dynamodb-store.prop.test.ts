// The store contract as a model (fast-check commands) on DynamoDB Local: every run a fresh key
// prefix on one table; what the model expects, byte for byte, is what the table returns.
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@checkout/testing';
import { propertyRuns, useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { IdempotencyStore } from '../store/idempotency-store.js';
import { completingWithAttempt } from '../test-support/completing-with-attempt.js';
import { checkStoreAgainstModel } from '../test-support/store-model.js';
import { createDynamoDbIdempotencyStore } from './dynamodb-store.js';
import { createIdempotencyTable } from './table-definition.js';

const stack = useCheckoutStack();

describe('DynamoDB store (model)', () => {
  let client: DynamoDBClient;
  let tableName: string;
  beforeAll(async () => {
    client = new DynamoDBClient(stack.dynamodb.clientConfig);
    tableName = uniqueName('idemprop');
    await createIdempotencyTable(client, tableName);
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  for (const [name, wrap] of [
    ['', (store: IdempotencyStore) => store],
    [', completions carrying the attempt', completingWithAttempt],
  ] as const) {
    it(`agrees with the contract model over random acquire / complete / release / expiry sequences${name}`, async () => {
      await checkStoreAgainstModel(
        async (_prefix, _now, keys) => ({
          store: wrap(createDynamoDbIdempotencyStore({ client, tableName })),
          repeatedCompleteSucceeds: true,
          // The run's keys are all it can have written (bad keys are refused): one read each.
          countRecords: async () => {
            let count = 0;
            for (const key of keys) {
              const { Item } = await client.send(
                new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
              );
              if (Item !== undefined) count += 1;
            }
            return count;
          },
        }),
        propertyRuns(10),
      );
    });
  }
});
