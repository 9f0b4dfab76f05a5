import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidInputError } from './errors.js';
import type { InventoryContext } from './inventory-context.js';
import type { Reservation } from './reservations/reservation.js';
import { type ReserveOptions, type ReserveResult, reserve } from './reservations/reserve.js';
import { getReservation, type SettleResult, settle } from './reservations/settle.js';
import { type SweepOptions, type SweepResult, sweepExpired } from './reservations/sweep-expired.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry/backoff.js';
import { adjustStock, getAvailability, type StockLevel, setStock } from './stock/stock.js';
import {
  checkedClock,
  type ReservationLine,
  validatePositiveInteger,
  validateTableName,
} from './validation/validate-input.js';

/** Options of {@link Inventory}. */
export interface InventoryOptions {
  readonly client: DynamoDBClient;
  /** A table created from `createInventoryTableInput`. */
  readonly tableName: string;
  /**
   * Partitions of the sweeper's index (default 8, at most 64). Every writer and sweeper of a table
   * must use the same value: a sweeper with fewer shards misses reservations in the others.
   */
  readonly pendingShards?: number;
  /** How long settled reservations stay readable (for replays of `reserve`) before TTL deletes them. Default 7 days. */
  readonly settledRetentionSeconds?: number;
  /** Bounded jittered retry of transaction conflicts (hot SKUs). */
  readonly retry?: Partial<RetryPolicy>;
  /** Clock, for tests. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/**
 * Stock and reservations in one DynamoDB table. Every method is safe to call concurrently from any
 * number of processes: the guarantees live in conditional writes, not in this object.
 */
export class Inventory {
  readonly #ctx: InventoryContext;

  constructor(options: InventoryOptions) {
    validateTableName(options.tableName);
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    validatePositiveInteger('retry.maxAttempts', retry.maxAttempts, 1000);
    validatePositiveInteger('retry.baseDelayMs', retry.baseDelayMs, 60_000);
    validatePositiveInteger('retry.maxDelayMs', retry.maxDelayMs, 600_000);
    if (retry.maxDelayMs < retry.baseDelayMs) throw new InvalidInputError('retry.maxDelayMs', 'must be >= baseDelayMs');
    this.#ctx = {
      client: options.client,
      tableName: options.tableName,
      pendingShards: validatePositiveInteger('pendingShards', options.pendingShards ?? 8, 64),
      settledRetentionSeconds: validatePositiveInteger(
        'settledRetentionSeconds',
        options.settledRetentionSeconds ?? 7 * 24 * 3600,
        366 * 24 * 3600,
      ),
      retry,
      now: checkedClock(options.now),
      random: Math.random,
    };
  }

  /**
   * Reserves every line of an order, all or nothing, in one `TransactWriteItems`: each SKU's stock is
   * decremented under `available >= quantity` and the order's reservation is put under
   * `attribute_not_exists`. Repeated SKUs are merged; more than 99 distinct SKUs throw
   * `TooManyLinesError`. A retry of the same order (also concurrent, also after a lost response)
   * returns the existing reservation with `replayed: true` and takes no stock; the same order id with
   * different lines throws `ReservationMismatchError`. Sold out is `{ ok: false, shortages }`.
   * Transaction conflicts are retried with jittered backoff, then `TransactionContentionError`.
   */
  reserve(orderId: string, lines: readonly ReservationLine[], options: ReserveOptions): Promise<ReserveResult> {
    return reserve(this.#ctx, orderId, lines, options);
  }

  /**
   * Consumes a pending reservation (fulfilment started): reserved units become committed. Idempotent:
   * repeats return `changed: false`. Throws `ReservationStateError` if it was released or expired,
   * `ReservationNotFoundError` if there is none. A reservation past its deadline that no sweeper
   * expired yet can still be committed: its units were never returned.
   */
  commit(orderId: string): Promise<SettleResult> {
    return settle(this.#ctx, orderId, 'commit');
  }

  /**
   * Returns a pending reservation's units to `available` (payment failed, order cancelled).
   * Idempotent: repeats, and releasing an expired reservation, return `changed: false`. Throws
   * `ReservationStateError` if it was committed, `ReservationNotFoundError` if there is none.
   */
  release(orderId: string): Promise<SettleResult> {
    return settle(this.#ctx, orderId, 'release');
  }

  /** The order's reservation (strongly consistent read), or `undefined`. */
  getReservation(orderId: string): Promise<Reservation | undefined> {
    return getReservation(this.#ctx, orderId);
  }

  /**
   * Expires pending reservations past their deadline and returns their stock, exactly once per
   * reservation even with several sweepers. DynamoDB TTL never deletes a pending reservation (only
   * settled ones), so stock cannot vanish with it. Run it on a schedule (e.g. every minute). Examines at
   * most `options.limit` reservations (default 500); the next run takes the rest.
   */
  sweepExpired(options?: SweepOptions): Promise<SweepResult> {
    return sweepExpired(this.#ctx, options);
  }

  /** Sets a SKU's available units (admin, tests). Reserved and committed counts are kept. */
  setStock(sku: string, available: number): Promise<StockLevel> {
    return setStock(this.#ctx, sku, available);
  }

  /** Adds `delta` to a SKU's available units; `StockUnderflowError` instead of going below zero. */
  adjustStock(sku: string, delta: number): Promise<StockLevel> {
    return adjustStock(this.#ctx, sku, delta);
  }

  /** Stock counters per SKU (unknown SKUs read as zero). Strongly consistent unless told otherwise. */
  getAvailability(
    skus: readonly string[],
    options?: { readonly consistentRead?: boolean },
  ): Promise<ReadonlyMap<string, StockLevel>> {
    return getAvailability(this.#ctx, skus, options);
  }
}
