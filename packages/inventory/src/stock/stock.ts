import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fieldPath } from '@checkout/core';
import { InventoryInputError, StockUnderflowError, TransactionContentionError } from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { classifyTransactionError } from '../reservations/transaction-outcome.js';
import { retryDelayMs, sleep } from '../retry/retry-policy.js';
import { stockKey, stockSlotKey } from '../table/keys.js';
import { validateId, validatePositiveInteger } from '../validation/validate-input.js';
import {
  activeSlots,
  allocate,
  applyMoves,
  countersOf,
  isShardedMainItem,
  layoutOf,
  learnLayout,
  MAX_STOCK_SHARDS,
  readStockSnapshot,
  type StockSnapshot,
  snapshotTotal,
} from './stock-shards.js';

/** Stock counters of one SKU. Units move available -> reserved -> committed (or back to available). */
export interface StockLevel {
  readonly sku: string;
  /** Units that can be reserved now. */
  readonly available: number;
  /** Units held by pending reservations. */
  readonly reserved: number;
  /** Units consumed by committed reservations. */
  readonly committed: number;
  /**
   * Shard items the SKU's units are split over (set with `setStock(sku, units, { shards })`); absent
   * for an unsharded SKU. The counters above are the sums over every shard.
   */
  readonly shards?: number;
}

/** Options of `setStock`. */
export interface SetStockOptions {
  /**
   * Split the SKU's available units over this many shard items (2-64), each in its own partition,
   * so a hot SKU's reservations spread over them; 1 puts every unit back on the one stock item.
   * Omitted: keep the SKU's current layout (unsharded unless it was sharded).
   */
  readonly shards?: number;
}

const MAX_UNITS = 1_000_000_000_000;
const BATCH_GET_LIMIT = 100;

function validateUnits(field: string, value: unknown, allowNegative: boolean): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > MAX_UNITS) {
    throw new InventoryInputError(field, `must be a whole number of units up to ${MAX_UNITS}`);
  }
  if (!allowNegative && value < 0) throw new InventoryInputError(field, 'must not be negative');
  return value;
}

function levelFromItem(sku: string, item: Record<string, AttributeValue> | undefined): StockLevel {
  return { sku, ...countersOf(sku, item) };
}

/** The summed level of a sharded SKU's snapshot; `shards` is set when reservations pick from shards. */
function levelFromSnapshot(snapshot: StockSnapshot): StockLevel {
  const level = {
    sku: snapshot.sku,
    available: snapshotTotal(snapshot, 'available'),
    reserved: snapshotTotal(snapshot, 'reserved'),
    committed: snapshotTotal(snapshot, 'committed'),
  };
  return snapshot.layout.shards >= 2 ? { ...level, shards: snapshot.layout.shards } : level;
}

/**
 * Sets a SKU's available units, creating its stock item if needed. Reserved and committed counts stay.
 * With `shards`, the units are split evenly over that many shard items (or gathered back with 1).
 */
export async function setStock(
  ctx: InventoryContext,
  sku: string,
  available: number,
  options?: SetStockOptions,
): Promise<StockLevel> {
  validateId('sku', sku);
  validateUnits('available', available, false);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InventoryInputError('options', 'must be an object { shards? }');
  }
  const shards =
    options?.shards === undefined
      ? undefined
      : validatePositiveInteger('options.shards', options.shards, MAX_STOCK_SHARDS);
  if (shards === undefined || shards === 1) {
    // A SKU that never had shards: one write, as always. One that has them takes the sharded path.
    try {
      const result = await ctx.client.send(
        new UpdateItemCommand({
          TableName: ctx.tableName,
          Key: stockKey(sku),
          ConditionExpression: 'attribute_not_exists(shardSlots)',
          UpdateExpression:
            'SET kind = :kind, sku = :sku, available = :available, reserved = if_not_exists(reserved, :zero), committed = if_not_exists(committed, :zero), updatedAt = :now',
          ExpressionAttributeValues: {
            ':kind': { S: 'stock' },
            ':sku': { S: sku },
            ':available': { N: String(available) },
            ':zero': { N: '0' },
            ':now': { N: String(ctx.now()) },
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      learnLayout(ctx, sku, { shards: 1, slots: 0 });
      return levelFromItem(sku, result.Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return setShardedStock(ctx, sku, available, shards);
}

/**
 * Writes the main item and every shard of `sku` in one transaction: `available` split evenly over the
 * new active shards (or all on the main item for 1 shard), 0 everywhere else, conditioned on the shard
 * slots being the ones just read (a concurrent re-sharding makes us read again).
 */
async function setShardedStock(
  ctx: InventoryContext,
  sku: string,
  available: number,
  requestedShards: number | undefined,
): Promise<StockLevel> {
  for (let attempt = 1; ; attempt += 1) {
    const read = await ctx.client.send(
      new GetItemCommand({ TableName: ctx.tableName, Key: stockKey(sku), ConsistentRead: true }),
    );
    const old = layoutOf(sku, read.Item);
    const shards = requestedShards ?? old.shards;
    const layout = { shards, slots: Math.max(old.slots, shards >= 2 ? shards : 0) };
    const now = String(ctx.now());
    const share = (slot: number) =>
      slot >= shards ? 0 : Math.floor(available / shards) + (slot < available % shards ? 1 : 0);
    const counters =
      'reserved = if_not_exists(reserved, :zero), committed = if_not_exists(committed, :zero), updatedAt = :now';
    const main: TransactWriteItem = {
      Update: {
        TableName: ctx.tableName,
        Key: stockKey(sku),
        ConditionExpression: old.slots === 0 ? 'attribute_not_exists(shardSlots)' : 'shardSlots = :oldSlots',
        UpdateExpression: `SET kind = :kind, sku = :sku, available = :available, shardSlots = :slots, ${counters}${
          shards >= 2 ? ', shards = :shards' : ' REMOVE shards'
        }`,
        ExpressionAttributeValues: {
          ':kind': { S: 'stock' },
          ':sku': { S: sku },
          ':available': { N: String(shards >= 2 ? 0 : available) },
          ':slots': { N: String(layout.slots) },
          ':zero': { N: '0' },
          ':now': { N: now },
          ...(old.slots === 0 ? {} : { ':oldSlots': { N: String(old.slots) } }),
          ...(shards >= 2 ? { ':shards': { N: String(shards) } } : {}),
        },
      },
    };
    const shardItems = Array.from(
      { length: layout.slots },
      (_, slot): TransactWriteItem => ({
        Update: {
          TableName: ctx.tableName,
          Key: stockSlotKey(sku, slot),
          UpdateExpression: `SET kind = :kind, sku = :sku, slot = :slot, available = :available, ${counters}`,
          ExpressionAttributeValues: {
            ':kind': { S: 'stock-shard' },
            ':sku': { S: sku },
            ':slot': { N: String(slot) },
            ':available': { N: String(shards >= 2 ? share(slot) : 0) },
            ':zero': { N: '0' },
            ':now': { N: now },
          },
        },
      }),
    );
    try {
      await ctx.client.send(new TransactWriteItemsCommand({ TransactItems: [main, ...shardItems] }));
      learnLayout(ctx, sku, layout);
      return levelFromSnapshot(await readStockSnapshot(ctx, sku, 'setStock'));
    } catch (error) {
      const failure = classifyTransactionError(error);
      if (failure.kind === 'other') throw error;
      if (attempt >= ctx.retry.maxAttempts) {
        throw new TransactionContentionError('setStock', attempt, ctx.retry.retryAfterSeconds, error);
      }
      await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
    }
  }
}

/**
 * Adds `delta` (negative to remove) to a SKU's available units atomically, e.g. a delivery or a
 * write-off. Refuses with {@link StockUnderflowError} to go below zero.
 */
export async function adjustStock(ctx: InventoryContext, sku: string, delta: number): Promise<StockLevel> {
  validateId('sku', sku);
  validateUnits('delta', delta, true);
  if (delta === 0) throw new InventoryInputError('delta', 'must not be zero');
  try {
    const result = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: stockKey(sku),
        // Never below zero, and never above MAX_UNITS (what setStock accepts and every reader handles).
        // A sharded SKU (`shards`) gets new units on its shards, below.
        ConditionExpression:
          delta < 0
            ? 'available >= :needed'
            : '(attribute_not_exists(available) OR available <= :ceiling) AND attribute_not_exists(shards)',
        UpdateExpression:
          'SET kind = :kind, sku = :sku, available = if_not_exists(available, :zero) + :delta, reserved = if_not_exists(reserved, :zero), committed = if_not_exists(committed, :zero), updatedAt = :now',
        ExpressionAttributeValues: {
          ':kind': { S: 'stock' },
          ':sku': { S: sku },
          ':delta': { N: String(delta) },
          ':zero': { N: '0' },
          ':now': { N: String(ctx.now()) },
          ...(delta < 0 ? { ':needed': { N: String(-delta) } } : { ':ceiling': { N: String(MAX_UNITS - delta) } }),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return levelFromItem(sku, result.Attributes);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      if (isShardedMainItem(error.Item)) return adjustShardedStock(ctx, sku, delta);
      const { available } = levelFromItem(sku, error.Item);
      if (delta > 0) {
        throw new InventoryInputError('delta', `would take available above ${MAX_UNITS} units (it is ${available})`);
      }
      throw new StockUnderflowError(sku, delta, available);
    }
    throw error;
  }
}

/**
 * `adjustStock` of a SKU with shard items: a snapshot of every item, then one transaction that adds
 * `delta` spread over the active shards, or takes `-delta` from the fullest items (each conditioned on
 * having the units). Lost races read again, bounded by `maxAttempts`.
 */
async function adjustShardedStock(ctx: InventoryContext, sku: string, delta: number): Promise<StockLevel> {
  for (let attempt = 1; ; attempt += 1) {
    const snapshot = await readStockSnapshot(ctx, sku, 'adjustStock');
    const total = snapshotTotal(snapshot);
    const moves = new Map<number, number>();
    if (delta < 0) {
      const parts = allocate(snapshot, -delta, ctx.random);
      if (parts === undefined) throw new StockUnderflowError(sku, delta, Math.max(0, total));
      for (const part of parts) moves.set(part.slot, -part.quantity);
    } else {
      if (total + delta > MAX_UNITS) {
        throw new InventoryInputError('delta', `would take available above ${MAX_UNITS} units (it is ${total})`);
      }
      const active = activeSlots(snapshot.layout);
      active.forEach((slot, index) => {
        const add = Math.floor(delta / active.length) + (index < delta % active.length ? 1 : 0);
        if (add > 0) moves.set(slot, add);
      });
    }
    if (await applyMoves(ctx, snapshot, moves))
      return levelFromSnapshot(await readStockSnapshot(ctx, sku, 'adjustStock'));
    if (attempt >= ctx.retry.maxAttempts) {
      throw new TransactionContentionError('adjustStock', attempt, ctx.retry.retryAfterSeconds);
    }
    await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
  }
}

/**
 * Current stock of each SKU (unknown SKUs read as zero), with strongly consistent reads by default.
 * Batches of 100 keys; unprocessed keys are retried with backoff.
 */
export async function getAvailability(
  ctx: InventoryContext,
  skus: readonly string[],
  options: { readonly consistentRead?: boolean } = {},
): Promise<ReadonlyMap<string, StockLevel>> {
  if (!Array.isArray(skus)) throw new InventoryInputError('skus', 'must be an array of SKUs');
  for (const [index, sku] of skus.entries()) validateId(fieldPath('skus', index), sku);
  const unique = [...new Set(skus)];
  const found = new Map<string, Record<string, AttributeValue>>();
  for (let offset = 0; offset < unique.length; offset += BATCH_GET_LIMIT) {
    let keys: Record<string, AttributeValue>[] = unique.slice(offset, offset + BATCH_GET_LIMIT).map(stockKey);
    for (let attempt = 1; keys.length > 0; attempt += 1) {
      if (attempt > ctx.retry.maxAttempts) {
        throw new TransactionContentionError('getAvailability', attempt - 1, ctx.retry.retryAfterSeconds);
      }
      if (attempt > 1) await sleep(retryDelayMs(ctx.retry, attempt - 1, ctx.random));
      const result = await ctx.client.send(
        new BatchGetItemCommand({
          RequestItems: { [ctx.tableName]: { Keys: keys, ConsistentRead: options.consistentRead ?? true } },
        }),
      );
      for (const item of result.Responses?.[ctx.tableName] ?? []) {
        const pk = item.pk?.S;
        if (pk?.startsWith('SKU#')) found.set(pk.slice('SKU#'.length), item);
      }
      keys = result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
    }
  }
  // SKUs with shard items: their counters are the sums over a snapshot of every item.
  const sharded = new Map<string, StockLevel>();
  await Promise.all(
    unique
      .filter((sku) => isShardedMainItem(found.get(sku)))
      .map(async (sku) => {
        learnLayout(ctx, sku, layoutOf(sku, found.get(sku)));
        sharded.set(sku, levelFromSnapshot(await readStockSnapshot(ctx, sku, 'getAvailability')));
      }),
  );
  return new Map(unique.map((sku) => [sku, sharded.get(sku) ?? levelFromItem(sku, found.get(sku))]));
}
