import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryPolicy } from './retry/backoff.js';

/** What every inventory operation needs; built once by `Inventory`, never shared module-wide. */
export interface InventoryContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly pendingShards: number;
  readonly settledRetentionSeconds: number;
  readonly retry: RetryPolicy;
  readonly now: () => Date;
  readonly random: () => number;
}
