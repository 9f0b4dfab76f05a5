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
import {
  allocate,
  cachedLayout,
  hintedTotal,
  isShardedMainItem,
  layoutOf,
  learnLayout,
  pickParts,
  readStockSnapshot,
  rebalanceIfUneven,
  type StockPart,
  sharedSnapshot,
  snapshotTotal,
} from '../stock/stock-shards.js';
import { MAIN_STOCK_SLOT, pendingDeadlineKey, pendingShardOf, reservationKey, stockSlotKey } from '../table/keys.js';
import {
  normalizeLines,
  type ReservationLine,
  validateId,
  validatePositiveInteger,
} from '../validation/validate-input.js';
import { requestTokens } from './client-request-token.js';
import {
  allocationsToAttribute,
  linesToAttribute,
  type Reservation,
  reservationFromItem,
  sameLines,
} from './reservation.js';
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
  const tokenOf = requestTokens(ctx.tableName, orderId);
  let generation = 1;
  // Reads sent after this instant may decide "sold out" for this call.
  const since = performance.now();
  // Where each line takes its units from: the SKU's stock item (unsharded, the default), or a shard.
  const plan: Array<StockPart[] | undefined> = normalized.map((line) => pickParts(ctx, line.sku, line.quantity));
  let sent: SentItems | undefined;
  let resend = false;

  for (let attempt = 1; ; attempt += 1) {
    if (!resend || sent === undefined) {
      const shortages = await planFromSnapshots(ctx, normalized, plan, since);
      if (shortages.length > 0) return soldOut(ctx, orderId, normalized, shortages, attempt);
      sent = buildReserveItems(ctx, reservation, plan as StockPart[][]);
      if (sent.items.length > MAX_TRANSACTION_ITEMS) {
        // Only when sharded SKUs are spread so thin that the order's units sit on too many items.
        throw new TransactionContentionError('reserve', attempt, ctx.retry.retryAfterSeconds);
      }
    }
    resend = false;
    try {
      await ctx.client.send(
        new TransactWriteItemsCommand({ TransactItems: sent.items, ClientRequestToken: tokenOf(generation) }),
      );
      noteTaken(ctx, normalized, plan as StockPart[][]);
      return { ok: true, reservation, replayed: false, attempts: attempt };
    } catch (error) {
      const failure = classifyTransactionError(error);
      if (failure.kind === 'other') throw error;
      if (failure.kind === 'ambiguous') {
        // Resend the identical request with the same token: applied at most once.
        resend = true;
      } else if (!failure.retryable) {
        const [header, ...stock] = failure.reasons;
        if (header?.Code === 'ConditionalCheckFailed') {
          const existing = await existingReservation(ctx, orderId, header);
          if (existing !== undefined) {
            if (!sameLines(existing.lines, normalized)) throw new ReservationMismatchError(orderId);
            return { ok: true, reservation: existing, replayed: true, attempts: attempt };
          }
          // Deleted between our attempt and the read (TTL of a settled reservation): try again.
        } else {
          const shortages = shortagesFrom(ctx, stock, sent, normalized, plan);
          if (shortages === undefined) throw error;
          if (shortages.length > 0) {
            // Sharded lines that failed too are checked against their snapshot, so every short SKU is named.
            const more = await planFromSnapshots(ctx, normalized, plan, since);
            const all = [...shortages, ...more];
            return {
              ok: false,
              reason: 'INSUFFICIENT_STOCK',
              shortages: sortShortages(all, normalized),
              attempts: attempt,
            };
          }
          // A shard was short: nothing was applied; re-plan those lines from a snapshot, no wait.
          generation += 1;
          if (attempt >= ctx.retry.maxAttempts) {
            throw new TransactionContentionError('reserve', attempt, ctx.retry.retryAfterSeconds, error);
          }
          continue;
        }
      }
      // Cancelled: nothing was applied, the next attempt gets a fresh token. Ambiguous: same token.
      if (failure.kind === 'cancelled') {
        generation += 1;
        // Conflicts on a shard: try another one next time.
        normalized.forEach((line, index) => {
          if (plan[index]?.some((part) => part.slot !== MAIN_STOCK_SLOT)) {
            plan[index] = pickParts(ctx, line.sku, line.quantity);
          }
        });
      }
      if (attempt >= ctx.retry.maxAttempts) {
        throw new TransactionContentionError('reserve', attempt, ctx.retry.retryAfterSeconds, error);
      }
      await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
    }
  }
}

// TransactWriteItems takes at most 100 actions.
const MAX_TRANSACTION_ITEMS = 100;

/** The items of one reserve transaction, and which line and stock slot each stock item is. */
interface SentItems {
  readonly items: TransactWriteItem[];
  /** For `items[i + 1]`: the line index and slot. */
  readonly stock: ReadonlyArray<{ readonly line: number; readonly slot: number }>;
}

/**
 * Fills in the plan of every line that has none by reading the SKU's snapshot (rebalancing its shards
 * when they are uneven); returns the lines the SKU cannot cover in all.
 */
async function planFromSnapshots(
  ctx: InventoryContext,
  lines: readonly ReservationLine[],
  plan: Array<StockPart[] | undefined>,
  since: number,
): Promise<StockShortage[]> {
  const shortages: StockShortage[] = [];
  await Promise.all(
    lines.map(async (line, index) => {
      if (plan[index] !== undefined) return;
      // Plan from plain consistent reads; only a transactional snapshot may say the units are missing
      // (straight to it when this process last saw too few units on the shards).
      const hinted = hintedTotal(ctx, line.sku);
      let snapshot =
        hinted !== undefined && hinted < line.quantity
          ? undefined
          : await readStockSnapshot(ctx, line.sku, 'reserve', 'batch');
      let total = snapshot === undefined ? -1 : snapshotTotal(snapshot);
      if (snapshot === undefined || total < line.quantity) {
        snapshot = await sharedSnapshot(ctx, line.sku, 'reserve', since);
        total = snapshotTotal(snapshot);
      }
      if (total < line.quantity) {
        shortages.push({ sku: line.sku, requested: line.quantity, available: Math.max(0, total) });
        return;
      }
      const available = await rebalanceIfUneven(ctx, snapshot);
      plan[index] = allocate(snapshot, line.quantity, ctx.random, available) ??
        allocate(snapshot, line.quantity, ctx.random) ?? [{ slot: MAIN_STOCK_SLOT, quantity: line.quantity }];
    }),
  );
  return sortShortages(shortages, lines);
}

function sortShortages(shortages: readonly StockShortage[], lines: readonly ReservationLine[]): StockShortage[] {
  const order = new Map(lines.map((line, index) => [line.sku, index]));
  return [...shortages].sort((a, b) => (order.get(a.sku) ?? 0) - (order.get(b.sku) ?? 0));
}

/**
 * Sold out, decided from a snapshot rather than from the transaction's own conditions: unless the
 * order already has a reservation (a retry), which wins as it does in the transaction.
 */
async function soldOut(
  ctx: InventoryContext,
  orderId: string,
  lines: readonly ReservationLine[],
  shortages: StockShortage[],
  attempts: number,
): Promise<ReserveResult> {
  const existing = await existingReservation(ctx, orderId, {});
  if (existing !== undefined) {
    if (!sameLines(existing.lines, lines)) throw new ReservationMismatchError(orderId);
    return { ok: true, reservation: existing, replayed: true, attempts };
  }
  // Name every short SKU, as a refused transaction does: read the order's other lines too.
  const short = new Set(shortages.map((shortage) => shortage.sku));
  const others = await Promise.all(
    lines
      .filter((line) => !short.has(line.sku))
      .map(async (line): Promise<StockShortage[]> => {
        const total = snapshotTotal(await readStockSnapshot(ctx, line.sku, 'reserve'));
        return total < line.quantity
          ? [{ sku: line.sku, requested: line.quantity, available: Math.max(0, total) }]
          : [];
      }),
  );
  const all = sortShortages([...shortages, ...others.flat()], lines);
  return { ok: false, reason: 'INSUFFICIENT_STOCK', shortages: all, attempts };
}

/** Updates this process's shard hints after a reservation took its units. */
function noteTaken(ctx: InventoryContext, lines: readonly ReservationLine[], plan: readonly StockPart[][]): void {
  lines.forEach((line, index) => {
    const entry = cachedLayout(ctx, line.sku);
    if (entry === undefined) return;
    for (const part of plan[index] ?? []) {
      const hint = entry.hints[part.slot];
      if (part.slot >= 0 && hint !== undefined) entry.hints[part.slot] = hint - part.quantity;
    }
  });
}

function buildReserveItems(ctx: InventoryContext, reservation: Reservation, plan: readonly StockPart[][]): SentItems {
  const reservedAt = reservation.reservedAt.getTime();
  const reservedUntil = reservation.reservedUntil.getTime();
  const allocations = allocationsToAttribute(plan);
  const header: TransactWriteItem = {
    Put: {
      TableName: ctx.tableName,
      Item: {
        ...reservationKey(reservation.orderId),
        kind: { S: 'reservation' },
        orderId: { S: reservation.orderId },
        lines: linesToAttribute(reservation.lines),
        ...(allocations === undefined ? {} : { allocations }),
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
  const items: TransactWriteItem[] = [header];
  const stock: Array<{ line: number; slot: number }> = [];
  reservation.lines.forEach((line, index) => {
    for (const part of plan[index] ?? []) {
      stock.push({ line: index, slot: part.slot });
      items.push({
        Update: {
          TableName: ctx.tableName,
          Key: stockSlotKey(line.sku, part.slot),
          // `available >= :qty` is false when the item or attribute is missing: an unknown SKU is short.
          ConditionExpression: 'available >= :qty',
          UpdateExpression:
            'SET available = available - :qty, reserved = if_not_exists(reserved, :zero) + :qty, updatedAt = :now',
          ExpressionAttributeValues: {
            ':qty': { N: String(part.quantity) },
            ':zero': { N: '0' },
            ':now': { N: String(reservedAt) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
  });
  return { items, stock };
}

async function existingReservation(
  ctx: InventoryContext,
  orderId: string,
  reason: Pick<CancellationReason, 'Item'>,
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

/**
 * The shortages a cancelled transaction proves: a line whose unsharded stock item failed its condition
 * (as before sharding). A failed shard (or a main item that has shards) only says "not there": its line
 * gets no plan, to be re-planned from a snapshot. `undefined` when no stock condition failed at all.
 */
function shortagesFrom(
  ctx: InventoryContext,
  reasons: readonly CancellationReason[],
  sent: SentItems,
  lines: readonly ReservationLine[],
  plan: Array<StockPart[] | undefined>,
): StockShortage[] | undefined {
  const shortages: StockShortage[] = [];
  let anyFailed = false;
  sent.stock.forEach(({ line: index, slot }, position) => {
    const reason = reasons[position];
    const line = lines[index];
    if (reason?.Code !== 'ConditionalCheckFailed' || line === undefined) return;
    anyFailed = true;
    const raw = reason.Item?.available?.N;
    const available = raw === undefined ? 0 : Math.max(0, Number(raw));
    if (slot === MAIN_STOCK_SLOT && !isShardedMainItem(reason.Item)) {
      shortages.push({ sku: line.sku, requested: line.quantity, available });
      return;
    }
    if (slot === MAIN_STOCK_SLOT) learnLayout(ctx, line.sku, layoutOf(line.sku, reason.Item));
    else {
      const entry = cachedLayout(ctx, line.sku);
      if (entry !== undefined && slot < entry.hints.length) entry.hints[slot] = available;
    }
    plan[index] = undefined;
  });
  return anyFailed ? shortages : undefined;
}
