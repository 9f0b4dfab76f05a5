import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fieldPath } from '@checkout/core';
import { CorruptRecordError, InventoryInputError, StockUnderflowError, TransactionContentionError } from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { retryDelayMs, sleep } from '../retry/retry-policy.js';
import { stockKey } from '../table/keys.js';
import { validateId } from '../validation/validate-input.js';

/** Stock counters of one SKU. Units move available -> reserved -> committed (or back to available). */
export interface StockLevel {
  readonly sku: string;
  /** Units that can be reserved now. */
  readonly available: number;
  /** Units held by pending reservations. */
  readonly reserved: number;
  /** Units consumed by committed reservations. */
  readonly committed: number;
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
  const read = (name: string) => {
    const attribute = item?.[name];
    if (attribute === undefined) return 0;
    const value = attribute.N === undefined ? Number.NaN : Number(attribute.N);
    if (!Number.isSafeInteger(value))
      throw new CorruptRecordError(name, `of SKU ${JSON.stringify(sku)} is not an integer`);
    return value;
  };
  return { sku, available: read('available'), reserved: read('reserved'), committed: read('committed') };
}

/** Sets a SKU's available units, creating its stock item if needed. Reserved and committed counts stay. */
export async function setStock(ctx: InventoryContext, sku: string, available: number): Promise<StockLevel> {
  validateId('sku', sku);
  validateUnits('available', available, false);
  const result = await ctx.client.send(
    new UpdateItemCommand({
      TableName: ctx.tableName,
      Key: stockKey(sku),
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
    }),
  );
  return levelFromItem(sku, result.Attributes);
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
        ConditionExpression:
          delta < 0 ? 'available >= :needed' : 'attribute_not_exists(available) OR available <= :ceiling',
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
  return new Map(unique.map((sku) => [sku, levelFromItem(sku, found.get(sku))]));
}
