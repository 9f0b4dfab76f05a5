import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, timeToLiveInput } from '@checkout/core';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { createInventory, type Inventory, type InventoryOptions } from '../inventory.js';
import { inventoryTableDefinition } from '../table/table-definition.js';

/** Options of an inventory on the test table (everything but the client and the table). */
export type TestInventoryOptions = Partial<Omit<InventoryOptions, 'client' | 'tableName'>>;

/** A fresh inventory table for one test file or test, with an `Inventory` on it. */
export interface TestInventory {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly inventory: Inventory;
  /** Another `Inventory` on the same table with different options (e.g. a second sweeper). */
  open(options?: TestInventoryOptions): Inventory;
  drop(): Promise<void>;
}

/** A DynamoDB client on the run's DynamoDB Local (enough sockets for the concurrency tests). */
export function newTestClient(options: { readonly maxAttempts?: number } = {}): DynamoDBClient {
  const stack = useCheckoutStack();
  return new DynamoDBClient({
    ...stack.dynamodb.clientConfig,
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler: { httpAgent: { maxSockets: 256 } },
  });
}

/** Creates a uniquely named inventory table on the run's DynamoDB Local, TTL enabled. */
export async function createTestInventory(options: TestInventoryOptions = {}): Promise<TestInventory> {
  const client = newTestClient();
  const tableName = uniqueName('inventory');
  await client.send(new CreateTableCommand(createTableInput(inventoryTableDefinition, tableName)));
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(inventoryTableDefinition, tableName)));
  const open = (extra: TestInventoryOptions = {}) => createInventory({ client, tableName, ...options, ...extra });
  return {
    client,
    tableName,
    inventory: open(),
    open,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
