import { GetItemCommand, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import {
  InventoryInputError,
  ReservationNotFoundError,
  ReservationStateError,
  TransactionContentionError,
} from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { retryDelayMs, sleep } from '../retry/retry-policy.js';
import { reservationKey, stockSlotKey } from '../table/keys.js';
import { normalizeLines, type ReservationLine, validateId } from '../validation/validate-input.js';
import { requestTokens } from './client-request-token.js';
import {
  allocationsFromItem,
  type LinePart,
  linesToAttribute,
  type Reservation,
  type ReservationStatus,
  reservationFromItem,
} from './reservation.js';
import { classifyTransactionError } from './transaction-outcome.js';

/** Which way a pending reservation leaves `PENDING`. */
export type SettleOperation = 'commit' | 'release' | 'expire';

/** Outcome of `commit`, `release` and the sweeper's expiry of one reservation. */
export interface SettleResult {
  readonly orderId: string;
  /** The reservation's status after the call. */
  readonly status: ReservationStatus;
  /** True only for the one call that moved the reservation (and the stock); false for repeats. */
  readonly changed: boolean;
}

/** Options of `inventory.commit`. */
export interface CommitOptions {
  /**
   * The lines the reservation was made with (what you passed to `reserve`; order and repeated SKUs do
   * not matter). When they match the stored reservation and it took every unit from the SKUs' main
   * stock items (no shards), `commit` is one DynamoDB call instead of a read and a write. Anything else
   * (other lines, shards, already settled, no reservation) is decided as without them, after a read:
   * the answer never depends on this option, only the number of calls does.
   */
  readonly lines?: readonly ReservationLine[];
}

/** The lines of `commit`'s options, checked before any request (`options.lines[0].quantity`). */
export function commitLines(options: unknown): ReservationLine[] | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new InventoryInputError('options', 'must be an object { lines? }');
  }
  const { lines } = options as CommitOptions;
  if (lines === undefined) return undefined;
  try {
    return normalizeLines(lines);
  } catch (error) {
    if (error instanceof InventoryInputError) {
      throw new InventoryInputError(`options.${error.field}`, error.message.slice(`Invalid ${error.field}: `.length));
    }
    throw error;
  }
}

const TARGET: Record<SettleOperation, ReservationStatus> = {
  commit: 'COMMITTED',
  release: 'RELEASED',
  expire: 'EXPIRED',
};

// commit consumes the held units; release and expire give them back to `available`.
const STOCK_UPDATE: Record<SettleOperation, string> = {
  commit: 'ADD reserved :negQty, committed :qty SET updatedAt = :now',
  release: 'ADD available :qty, reserved :negQty SET updatedAt = :now',
  expire: 'ADD available :qty, reserved :negQty SET updatedAt = :now',
};

/** Reads an order's reservation with a strongly consistent read. */
export async function getReservation(ctx: InventoryContext, orderId: string): Promise<Reservation | undefined> {
  validateId('orderId', orderId);
  return (await readReservation(ctx, orderId))?.reservation;
}

/** A stored reservation and where each of its lines took its units from. */
interface StoredReservation {
  readonly reservation: Reservation;
  readonly allocations: readonly (readonly LinePart[])[];
}

async function readReservation(ctx: InventoryContext, orderId: string): Promise<StoredReservation | undefined> {
  const read = await ctx.client.send(
    new GetItemCommand({ TableName: ctx.tableName, Key: reservationKey(orderId), ConsistentRead: true }),
  );
  if (read.Item === undefined) return undefined;
  const reservation = reservationFromItem(read.Item);
  return { reservation, allocations: allocationsFromItem(read.Item, reservation.lines) };
}

/**
 * Moves a pending reservation to COMMITTED / RELEASED / EXPIRED and changes the stock of each line in
 * the same transaction, conditioned on the reservation still being `PENDING`: of any number of
 * concurrent or repeated calls, exactly one changes the stock.
 */
export async function settle(
  ctx: InventoryContext,
  orderId: string,
  operation: SettleOperation,
  now: number = ctx.now(),
  expected?: readonly ReservationLine[],
): Promise<SettleResult> {
  validateId('orderId', orderId);
  const tokenOf = requestTokens(ctx.tableName, orderId);
  let generation = 1;
  let stored: StoredReservation | undefined;
  let resend = false;
  // With the lines the caller reserved (normalized), the first try writes without reading: the
  // reservation's condition then also requires exactly those lines and no shard allocations, so the
  // stock items written are the ones a read would have named. Any refusal falls back to the read.
  let blind: StoredReservation | undefined =
    expected === undefined || operation === 'expire'
      ? undefined
      : {
          reservation: {
            orderId,
            lines: expected,
            status: 'PENDING',
            reservedAt: new Date(0),
            reservedUntil: new Date(0),
          },
          allocations: expected.map((line) => [{ slot: -1, quantity: line.quantity }]),
        };
  for (let attempt = 1; ; attempt += 1) {
    // After an ambiguous failure, send the identical request again (same token) without re-reading,
    // so a write that did go through is acknowledged to this call, not reported as someone else's.
    if (blind !== undefined) {
      resend = false;
      try {
        await ctx.client.send(
          new TransactWriteItemsCommand({
            TransactItems: settleItems(ctx, blind, operation, now, true),
            // Generation 0: never a token of the read path's requests, which differ.
            ClientRequestToken: tokenOf(0),
          }),
        );
        return { orderId, status: TARGET[operation], changed: true };
      } catch (error) {
        const failure = classifyTransactionError(error);
        if (failure.kind === 'other') throw error;
        if (attempt >= ctx.retry.maxAttempts) {
          throw new TransactionContentionError(operation, attempt, ctx.retry.retryAfterSeconds, error);
        }
        // Ambiguous: the identical request again. Refused (another state, other lines, shards) or
        // contended: read and decide as without `expected`.
        if (failure.kind !== 'ambiguous') blind = undefined;
        if (failure.kind === 'cancelled' && failure.retryable)
          await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
        continue;
      }
    }
    if (!resend || stored === undefined) {
      stored = await readReservation(ctx, orderId);
      if (stored === undefined) throw new ReservationNotFoundError(orderId);
      const current = stored.reservation;
      if (current.status !== 'PENDING') return repeated(current, operation);
      if (operation === 'expire' && current.reservedUntil.getTime() > now) {
        return { orderId, status: 'PENDING', changed: false };
      }
    }
    resend = false;
    try {
      await ctx.client.send(
        new TransactWriteItemsCommand({
          TransactItems: settleItems(ctx, stored, operation, now),
          ClientRequestToken: tokenOf(generation),
        }),
      );
      return { orderId, status: TARGET[operation], changed: true };
    } catch (error) {
      const failure = classifyTransactionError(error);
      if (failure.kind === 'other') throw error;
      if (failure.kind === 'ambiguous') resend = true;
      // Cancelled: nothing was applied, so the next attempt re-reads and gets a fresh token.
      else generation += 1;
      const header = failure.kind === 'cancelled' ? failure.reasons[0] : undefined;
      // Someone else settled it between our read and our write: loop to read what they did.
      const settledByOther = header?.Code === 'ConditionalCheckFailed';
      if (!settledByOther && failure.kind === 'cancelled' && !failure.retryable) throw error;
      if (attempt >= ctx.retry.maxAttempts) {
        throw new TransactionContentionError(operation, attempt, ctx.retry.retryAfterSeconds, error);
      }
      if (!settledByOther) await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
    }
  }
}

function repeated(current: Reservation, operation: SettleOperation): SettleResult {
  const result = { orderId: current.orderId, status: current.status, changed: false };
  if (operation === 'expire') return result;
  if (operation === 'commit' && current.status !== 'COMMITTED') {
    throw new ReservationStateError(current.orderId, 'commit', current.status);
  }
  if (operation === 'release' && current.status === 'COMMITTED') {
    throw new ReservationStateError(current.orderId, 'release', current.status);
  }
  return result;
}

function settleItems(
  ctx: InventoryContext,
  { reservation, allocations }: StoredReservation,
  operation: SettleOperation,
  nowMs: number,
  unread = false,
): TransactWriteItem[] {
  const expiresAt = Math.floor(nowMs / 1000) + ctx.settledRetentionSeconds;
  const condition = operation === 'expire' ? '#status = :pending AND reservedUntil <= :nowMs' : '#status = :pending';
  const header: TransactWriteItem = {
    Update: {
      TableName: ctx.tableName,
      Key: reservationKey(reservation.orderId),
      // Unread: the stored lines must be the caller's, every unit from the SKU's main item.
      ConditionExpression: unread
        ? `${condition} AND #lines = :lines AND attribute_not_exists(allocations)`
        : condition,
      // Leaving PENDING drops the sweeper-index attributes (sparse index) and starts the TTL clock.
      UpdateExpression:
        'SET #status = :next, settledAt = :nowMs, expiresAt = :expiresAt REMOVE pendingShard, pendingDeadline',
      ExpressionAttributeNames: unread ? { '#status': 'status', '#lines': 'lines' } : { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': { S: 'PENDING' },
        ':next': { S: TARGET[operation] },
        ':nowMs': { N: String(nowMs) },
        ':expiresAt': { N: String(expiresAt) },
        ...(unread ? { ':lines': linesToAttribute(reservation.lines) } : {}),
      },
    },
  };
  // Units go back to (or are committed from) the very stock items they were taken from.
  const stock = reservation.lines.flatMap((line, index) =>
    (allocations[index] ?? []).map(
      (part): TransactWriteItem => ({
        Update: {
          TableName: ctx.tableName,
          Key: stockSlotKey(line.sku, part.slot),
          UpdateExpression: STOCK_UPDATE[operation],
          ExpressionAttributeValues: {
            ':qty': { N: String(part.quantity) },
            ':negQty': { N: String(-part.quantity) },
            ':now': { N: String(nowMs) },
          },
        },
      }),
    ),
  );
  return [header, ...stock];
}
