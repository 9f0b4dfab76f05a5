import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { TestInventory } from './test-table.js';

/** Raw counters of one stock item of a SKU, read straight from the table. */
export interface RawCounters {
  readonly available: number;
  readonly reserved: number;
  readonly committed: number;
}

/** The main item (`main`) and shard items `0..slots-1` of `sku`, read consistently, bypassing the inventory. */
export async function readStockItems(
  t: TestInventory,
  sku: string,
  slots: number,
): Promise<{ main: RawCounters | undefined; shards: Array<RawCounters | undefined> }> {
  const keys = [
    { pk: { S: `SKU#${sku}` }, sk: { S: 'STOCK' } },
    ...Array.from({ length: slots }, (_, slot) => ({ pk: { S: `SHARD#${slot}#SKU#${sku}` }, sk: { S: 'STOCK' } })),
  ];
  const read = await t.client.send(
    new BatchGetItemCommand({ RequestItems: { [t.tableName]: { Keys: keys, ConsistentRead: true } } }),
  );
  const byPk = new Map((read.Responses?.[t.tableName] ?? []).map((item) => [item.pk?.S, item]));
  const counters = (pk: string): RawCounters | undefined => {
    const item = byPk.get(pk);
    if (item === undefined) return undefined;
    return {
      available: Number(item.available?.N ?? 0),
      reserved: Number(item.reserved?.N ?? 0),
      committed: Number(item.committed?.N ?? 0),
    };
  };
  return {
    main: counters(`SKU#${sku}`),
    shards: Array.from({ length: slots }, (_, slot) => counters(`SHARD#${slot}#SKU#${sku}`)),
  };
}
