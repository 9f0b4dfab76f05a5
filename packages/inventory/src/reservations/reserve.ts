import {
  type AttributeValue,
  type CancellationReason,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { InventoryInputError, ReservationMismatchError, TransactionContentionError } from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { retryDelayMs, sleep } from '../retry/retry-policy.js';
import { pendingDeadlineKey, pendingShardOf, reservationKey, stockKey } from '../table/keys.js';
import {
  normalizeLines,
  type ReservationLine,
  validateId,
  validatePositiveInteger,
} from '../validation/validate-input.js';
import { requestTokens } from './client-request-token.js';
import { linesToAttribute, type Reservation, reservationFromItem, sameLines } from './reservation.js';
import { classifyTransactionError } from './transaction-outcome.js';

/** Options of `reserve`. */
export interface ReserveOptions {
  /**
   * How long the reservation holds stock before the sweeper may return it, in milliseconds (a whole
   * number from 1 to 31 days). The deadline (`reservedUntil`) is enforced by `sweepExpired`, not by
   * DynamoDB TTL.
   */
  readonly holdMs: number;
}

/** A SKU the order wanted more of than was available. */
export interface StockShortage {
  readonly sku: string;
  readonly requested: number;
  /** Units available when the reservation was refused (0 for a SKU that has no stock item). */
  readonly available: number;
}

/**
 * Outcome of `reserve`. Sold out is a result, not an exception: `ok: false` names the short SKUs and
 * nothing was reserved on any line. `ok: true` with `replayed: true` is the order's earlier
 * reservation (check its `status`: a retry after `release` gets the released reservation back).
 */
export type ReserveResult =
  | {
      readonly ok: true;
      readonly reservation: Reservation;
      /** True when the reservation already existed (a retry): no stock was taken by this call. */
      readonly replayed: boolean;
      /** Transactions attempted (more than 1 after conflicts on hot SKUs). */
      readonly attempts: number;
    }
  | {
      readonly ok: false;
      readonly reason: 'INSUFFICIENT_STOCK';
      readonly shortages: readonly StockShortage[];
      readonly attempts: number;
    };

const MAX_HOLD_MS = 31 * 24 * 3600 * 1000;

/** Reserves every line of an order in one transaction, or none; see `Inventory.reserve`. */
export async function reserve(
  ctx: InventoryContext,
  orderId: string,
  lines: readonly ReservationLine[],
  options: ReserveOptions,
): Promise<ReserveResult> {
  validateId('orderId', orderId);
  const normalized = normalizeLines(lines);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InventoryInputError('options', 'must be an object { holdMs }');
  }
  if (options !== undefined && 'ttlSeconds' in options && !('holdMs' in options)) {
    throw new InventoryInputError('options.ttlSeconds', 'was replaced by holdMs (milliseconds)');
  }
  const holdMs = validatePositiveInteger('options.holdMs', options?.holdMs, MAX_HOLD_MS);
  const reservedAt = ctx.now();
  const reservedUntil = reservedAt + holdMs;
  const reservation: Reservation = {
    orderId,
    lines: normalized,
    status: 'PENDING',
    reservedAt: new Date(reservedAt),
    reservedUntil: new Date(reservedUntil),
  };
  const transactItems = buildReserveItems(ctx, reservation);
  const tokenOf = requestTokens(ctx.tableName, orderId);
  let generation = 1;

  for (let attempt = 1; ; attempt += 1) {
    try {
      await ctx.client.send(
        new TransactWriteItemsCommand({
          TransactItems: transactItems,
          ClientRequestToken: tokenOf(generation),
        }),
      );
      return { ok: true, reservation, replayed: false, attempts: attempt };
    } catch (error) {
      const failure = classifyTransactionError(error);
      if (failure.kind === 'other') throw error;
      if (failure.kind === 'cancelled' && !failure.retryable) {
        const [header, ...stock] = failure.reasons;
        if (header?.Code === 'ConditionalCheckFailed') {
          const existing = await existingReservation(ctx, orderId, header);
          if (existing !== undefined) {
            if (!sameLines(existing.lines, normalized)) throw new ReservationMismatchError(orderId);
            return { ok: true, reservation: existing, replayed: true, attempts: attempt };
          }
          // Deleted between our attempt and the read (TTL of a settled reservation): try again.
        } else {
          const shortages = shortagesFrom(stock, normalized);
          if (shortages.length === 0) throw error;
          return { ok: false, reason: 'INSUFFICIENT_STOCK', shortages, attempts: attempt };
        }
      }
      // Cancelled: nothing was applied, the next attempt gets a fresh token. Ambiguous: same token.
      if (failure.kind === 'cancelled') generation += 1;
      if (attempt >= ctx.retry.maxAttempts) {
        throw new TransactionContentionError('reserve', attempt, ctx.retry.retryAfterSeconds, error);
      }
      await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
    }
  }
}

function buildReserveItems(ctx: InventoryContext, reservation: Reservation): TransactWriteItem[] {
  const reservedAt = reservation.reservedAt.getTime();
  const reservedUntil = reservation.reservedUntil.getTime();
  const header: TransactWriteItem = {
    Put: {
      TableName: ctx.tableName,
      Item: {
        ...reservationKey(reservation.orderId),
        kind: { S: 'reservation' },
        orderId: { S: reservation.orderId },
        lines: linesToAttribute(reservation.lines),
        status: { S: 'PENDING' },
        reservedAt: { N: String(reservedAt) },
        reservedUntil: { N: String(reservedUntil) },
        pendingShard: { S: pendingShardOf(reservation.orderId, ctx.pendingShards) },
        pendingDeadline: { S: pendingDeadlineKey(reservedUntil, reservation.orderId) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  const stock = reservation.lines.map(
    (line): TransactWriteItem => ({
      Update: {
        TableName: ctx.tableName,
        Key: stockKey(line.sku),
        // `available >= :qty` is false when the item or attribute is missing: an unknown SKU is short.
        ConditionExpression: 'available >= :qty',
        UpdateExpression:
          'SET available = available - :qty, reserved = if_not_exists(reserved, :zero) + :qty, updatedAt = :now',
        ExpressionAttributeValues: {
          ':qty': { N: String(line.quantity) },
          ':zero': { N: '0' },
          ':now': { N: String(reservedAt) },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    }),
  );
  return [header, ...stock];
}

async function existingReservation(
  ctx: InventoryContext,
  orderId: string,
  reason: CancellationReason,
): Promise<Reservation | undefined> {
  let item: Record<string, AttributeValue> | undefined = reason.Item;
  if (item === undefined) {
    const read = await ctx.client.send(
      new GetItemCommand({ TableName: ctx.tableName, Key: reservationKey(orderId), ConsistentRead: true }),
    );
    item = read.Item;
  }
  return item === undefined ? undefined : reservationFromItem(item);
}

function shortagesFrom(reasons: readonly CancellationReason[], lines: readonly ReservationLine[]): StockShortage[] {
  return lines.flatMap((line, index) => {
    const reason = reasons[index];
    if (reason?.Code !== 'ConditionalCheckFailed') return [];
    const raw = reason.Item?.available?.N;
    const available = raw === undefined ? 0 : Math.max(0, Number(raw));
    return [{ sku: line.sku, requested: line.quantity, available }];
  });
}
