import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '@checkout/core';
import type { InventoryObserver } from './inventory-observer.js';
import type { RetryPolicy } from './retry/retry-policy.js';
import type { StockLayouts } from './stock/stock-shards.js';

/** What every inventory operation needs; built once by `createInventory`, never shared module-wide. */
export interface InventoryContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly pendingShards: number;
  readonly settledRetentionSeconds: number;
  readonly retry: RetryPolicy;
  /** Checked clock: epoch milliseconds, or an `InventoryConfigError`. */
  readonly now: Clock;
  readonly random: () => number;
  readonly observer: InventoryObserver | undefined;
  /** Layouts of sharded SKUs this inventory has seen (a hint: every write is conditioned). */
  readonly stockLayouts: StockLayouts;
}
