import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BackoffOptions, backoffProblem, type Clock } from '@checkout/core';
import { InventoryConfigError } from './errors.js';
import type { InventoryContext } from './inventory-context.js';
import type { InventoryObserver } from './inventory-observer.js';
import type { Reservation } from './reservations/reservation.js';
import { type ReserveOptions, type ReserveResult, reserve } from './reservations/reserve.js';
import { type CommitOptions, commitLines, getReservation, type SettleResult, settle } from './reservations/settle.js';
import { type SweepOptions, type SweepResult, sweepExpired } from './reservations/sweep-expired.js';
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, MAX_BACKOFF_MS, retryPolicy } from './retry/retry-policy.js';
import { adjustStock, getAvailability, type SetStockOptions, type StockLevel, setStock } from './stock/stock.js';
import { createStockLayouts } from './stock/stock-shards.js';
import {
  checkedClock,
  checkTableOptions,
  type ReservationLine,
  validateId,
  validatePositiveOption,
} from './validation/validate-input.js';

/** Options of {@link createInventory}. */
export interface InventoryOptions {
  /** The DynamoDB client every call uses (its own retries and timeouts apply per request). */
  readonly client: DynamoDBClient;
  /** A table created from `inventoryTableDefinition` (core's `createTableInput`, or `@checkout/cdk`). */
  readonly tableName: string;
  /**
   * Partitions of the sweeper's index (default 8, at most 64). Every writer and sweeper of a table
   * must use the same value: a sweeper with fewer shards misses reservations in the others.
   */
  readonly pendingShards?: number;
  /**
   * How long settled reservations stay readable (for replays of `reserve`) before DynamoDB TTL
   * deletes them, in whole seconds. Default 7 days (604,800), at most 366 days.
   */
  readonly settledRetentionSeconds?: number;
  /**
   * Transactions attempted per call when they are cancelled by conflicts (hot SKUs), throttled or
   * answered with a server error, first try included; then `TransactionContentionError`. Also bounds
   * the batch reads of `getAvailability`. Default 12, at most 1,000.
   */
  readonly maxAttempts?: number;
  /**
   * Delay between those attempts: full jitter, uniform in [0, min(maxMs, baseMs * 2^(retry-1))).
   * Default `{ baseMs: 10, maxMs: 800 }` (under ~5 s in all with the default `maxAttempts`);
   * `maxMs` at most 600,000.
   */
  readonly backoff?: BackoffOptions;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: Clock;
  /** Hooks: `error` for each reservation a sweep could not expire. */
  readonly observer?: InventoryObserver;
}

/**
 * Stock and reservations in one DynamoDB table, built by {@link createInventory}. Every method is
 * safe to call concurrently from any number of processes: the guarantees live in conditional
 * writes, not in this object.
 */
export interface Inventory {
  /**
   * Reserves every line of an order, all or nothing, in one `TransactWriteItems`: each SKU's stock is
   * decremented under `available >= quantity` and the order's reservation is put under
   * `attribute_not_exists`. Repeated SKUs are merged; more than 99 distinct SKUs throw
   * `TooManyLinesError`. A retry of the same order (also concurrent, also after a lost response)
   * returns the existing reservation with `replayed: true` and takes no stock; the same order id with
   * different lines throws `ReservationMismatchError`. Sold out is `{ ok: false, shortages }`.
   * Transaction conflicts are retried with jittered backoff, then `TransactionContentionError`.
   *
   * @example
   * ```ts
   * import type { Inventory } from '@checkout/inventory';
   *
   * async function reserveOrder(inventory: Inventory) {
   *   const result = await inventory.reserve('order-123', [{ sku: 'mug-blue', quantity: 2 }], { holdMs: 15 * 60_000 });
   *   return result.ok ? result.reservation.reservedUntil : result.shortages;
   * }
   * ```
   */
  reserve(orderId: string, lines: readonly ReservationLine[], options: ReserveOptions): Promise<ReserveResult>;

  /**
   * Consumes a pending reservation (fulfilment started): reserved units become committed. Idempotent:
   * repeats return `changed: false`. Throws `ReservationStateError` if it was released or expired,
   * `ReservationNotFoundError` if there is none. A reservation past its deadline that no sweeper
   * expired yet can still be committed: its units were never returned. With `options.lines` (the lines
   * you reserved) it skips its read when they match an unsharded reservation: one DynamoDB call.
   */
  commit(orderId: string, options?: CommitOptions): Promise<SettleResult>;

  /**
   * Returns a pending reservation's units to `available` (payment failed, order cancelled).
   * Idempotent: repeats, and releasing an expired reservation, return `changed: false`. Throws
   * `ReservationStateError` if it was committed, `ReservationNotFoundError` if there is none.
   */
  release(orderId: string): Promise<SettleResult>;

  /** The order's reservation (strongly consistent read), or `undefined`. */
  getReservation(orderId: string): Promise<Reservation | undefined>;

  /**
   * Expires pending reservations past their deadline and returns their stock, exactly once per
   * reservation even with several sweepers. DynamoDB TTL never deletes a pending reservation (only
   * settled ones), so stock cannot vanish with it. Run it on a schedule (e.g. every minute). Examines
   * at most `options.limit` reservations (default 500); the next run takes the rest. A reservation
   * that could not be expired is counted in `failed` and reported to `observer.error`.
   */
  sweepExpired(options?: SweepOptions): Promise<SweepResult>;

  /**
   * Sets a SKU's available units (admin, tests). Reserved and committed counts are kept. With
   * `{ shards: n }` (2-64) the units are split evenly over `n` shard items in their own partitions, so
   * a hot SKU's reservations no longer queue on one item (see the README's "Hot SKUs: shards");
   * `{ shards: 1 }` gathers them back on one item. Omitted, the SKU keeps its current layout.
   *
   * @example
   * ```ts
   * import type { Inventory } from '@checkout/inventory';
   *
   * async function stockFlashSale(inventory: Inventory) {
   *   // 5,000 units over 16 shards: each reservation takes its units from one shard.
   *   const level = await inventory.setStock('console-x', 5000, { shards: 16 });
   *   return level.shards; // 16
   * }
   * ```
   */
  setStock(sku: string, available: number, options?: SetStockOptions): Promise<StockLevel>;

  /** Adds `delta` to a SKU's available units; `StockUnderflowError` instead of going below zero. */
  adjustStock(sku: string, delta: number): Promise<StockLevel>;

  /** Stock counters per SKU (unknown SKUs read as zero). Strongly consistent unless told otherwise. */
  getAvailability(
    skus: readonly string[],
    options?: { readonly consistentRead?: boolean },
  ): Promise<ReadonlyMap<string, StockLevel>>;
}

const DEFAULT_PENDING_SHARDS = 8;
const DEFAULT_SETTLED_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * Creates an {@link Inventory} on a table of `inventoryTableDefinition`. Options are checked here:
 * a bad one throws `InventoryConfigError` naming it (`backoff.maxMs`); no request is sent.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createInventory } from '@checkout/inventory';
 *
 * const inventory = createInventory({ client: new DynamoDBClient({}), tableName: 'checkout-inventory' });
 * await inventory.setStock('mug-blue', 50);
 * ```
 */
export function createInventory(options: InventoryOptions): Inventory {
  const ctx = inventoryContext(options);
  return {
    reserve: (orderId, lines, reserveOptions) => reserve(ctx, orderId, lines, reserveOptions),
    commit: async (orderId, commitOptions) => {
      validateId('orderId', orderId);
      const lines = commitLines(commitOptions);
      return settle(ctx, orderId, 'commit', ctx.now(), lines);
    },
    release: (orderId) => settle(ctx, orderId, 'release'),
    getReservation: (orderId) => getReservation(ctx, orderId),
    sweepExpired: (sweepOptions) => sweepExpired(ctx, sweepOptions),
    setStock: (sku, available, stockOptions) => setStock(ctx, sku, available, stockOptions),
    adjustStock: (sku, delta) => adjustStock(ctx, sku, delta),
    getAvailability: (skus, readOptions) => getAvailability(ctx, skus, readOptions),
  };
}

function inventoryContext(options: InventoryOptions): InventoryContext {
  checkTableOptions(options);
  if ('retry' in options) {
    throw new InventoryConfigError('retry', 'was replaced by maxAttempts and backoff { baseMs, maxMs }');
  }
  const maxAttempts = validatePositiveOption('maxAttempts', options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 1000);
  const problem = backoffProblem(options.backoff, DEFAULT_BACKOFF, MAX_BACKOFF_MS);
  if (problem !== undefined) throw new InventoryConfigError(`backoff.${problem.field}`, problem.reason);
  const backoff = {
    baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
    maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
  };
  const observer = options.observer;
  if (
    observer !== undefined &&
    (typeof observer !== 'object' ||
      observer === null ||
      (observer.error !== undefined && typeof observer.error !== 'function'))
  ) {
    throw new InventoryConfigError('observer', 'must be an object whose hooks are functions ({ error? })');
  }
  return {
    client: options.client,
    tableName: options.tableName,
    pendingShards: validatePositiveOption('pendingShards', options.pendingShards ?? DEFAULT_PENDING_SHARDS, 64),
    settledRetentionSeconds: validatePositiveOption(
      'settledRetentionSeconds',
      options.settledRetentionSeconds ?? DEFAULT_SETTLED_RETENTION_SECONDS,
      366 * 24 * 3600,
    ),
    retry: retryPolicy(maxAttempts, backoff),
    now: checkedClock(options.now),
    random: Math.random,
    observer,
    stockLayouts: createStockLayouts(),
  };
}
