import {
  type AttributeValue,
  BatchGetItemCommand,
  type ItemResponse,
  TransactGetItemsCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { CorruptRecordError, TransactionContentionError } from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { classifyTransactionError } from '../reservations/transaction-outcome.js';
import { retryDelayMs, sleep } from '../retry/retry-policy.js';
import { MAIN_STOCK_SLOT, stockSlotKey } from '../table/keys.js';

/** Most shards one SKU can be split into (a snapshot of the main item and every shard fits one `TransactGetItems`). */
export const MAX_STOCK_SHARDS = 64;

/** Where a SKU's units live. */
export interface StockLayout {
  /** Shards reservations pick from; 1 means the main item only (unsharded, the default). */
  readonly shards: number;
  /** Shard items ever written (slots `0..slots-1`); units may sit in any of them and in the main item. */
  readonly slots: number;
}

/** Units a reservation took from one stock item of a SKU (`slot` -1 is the main item). */
export interface StockPart {
  readonly slot: number;
  readonly quantity: number;
}

/** Counters of one stock item. */
export interface StockCounters {
  readonly available: number;
  readonly reserved: number;
  readonly committed: number;
}

/** What this process knows about a sharded SKU: its layout and the last seen `available` per slot. */
export interface LayoutEntry {
  layout: StockLayout;
  /** Last known `available` of each shard (a hint for picking; conditions decide). */
  hints: Array<number | undefined>;
  /**
   * Where the next pick starts among the active shards: reservations of this process take turns
   * (no two of them on one shard while there are fewer in flight than shards, so they do not
   * conflict with each other); the start is random, so processes spread too.
   */
  cursor: number;
}

/** Per-inventory cache of sharded SKUs' layouts (unsharded SKUs are never stored). */
export interface StockLayouts {
  readonly entries: Map<string, LayoutEntry>;
  /** Rebalances in flight in this process, one per SKU. */
  readonly rebalancing: Map<string, Promise<unknown>>;
  /** Transactional snapshots in flight in this process, per SKU, with when they were sent. */
  readonly snapshots: Map<string, { readonly sentAt: number; readonly read: Promise<StockSnapshot> }>;
}

const MAX_CACHED_LAYOUTS = 10_000;
const UNSHARDED: StockLayout = { shards: 1, slots: 0 };

/** An empty layout cache. */
export function createStockLayouts(): StockLayouts {
  return { entries: new Map(), rebalancing: new Map(), snapshots: new Map() };
}

/** The cached entry of `sku` (only SKUs with shard items are cached). */
export function cachedLayout(ctx: InventoryContext, sku: string): LayoutEntry | undefined {
  return ctx.stockLayouts.entries.get(sku);
}

/** Records what a read said about `sku`'s layout; returns the (new) entry, or undefined when unsharded. */
export function learnLayout(ctx: InventoryContext, sku: string, layout: StockLayout): LayoutEntry | undefined {
  const { entries } = ctx.stockLayouts;
  if (layout.slots === 0) {
    entries.delete(sku);
    return undefined;
  }
  const existing = entries.get(sku);
  if (existing !== undefined && existing.layout.shards === layout.shards && existing.layout.slots === layout.slots) {
    return existing;
  }
  const entry: LayoutEntry = {
    layout,
    hints: Array.from({ length: layout.slots }, () => undefined),
    cursor: Math.floor(ctx.random() * Math.max(1, layout.shards)),
  };
  entries.delete(sku);
  entries.set(sku, entry);
  if (entries.size > MAX_CACHED_LAYOUTS) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  return entry;
}

function readCount(sku: string, item: Record<string, AttributeValue> | undefined, name: string): number {
  const attribute = item?.[name];
  if (attribute === undefined) return 0;
  const value = attribute.N === undefined ? Number.NaN : Number(attribute.N);
  if (!Number.isSafeInteger(value))
    throw new CorruptRecordError(name, `of SKU ${JSON.stringify(sku)} is not an integer`);
  return value;
}

/** The counters of one stock item (absent attributes read as zero). */
export function countersOf(sku: string, item: Record<string, AttributeValue> | undefined): StockCounters {
  return {
    available: readCount(sku, item, 'available'),
    reserved: readCount(sku, item, 'reserved'),
    committed: readCount(sku, item, 'committed'),
  };
}

/** The layout a main stock item records (`shards`, `shardSlots`); unsharded when absent. */
export function layoutOf(sku: string, item: Record<string, AttributeValue> | undefined): StockLayout {
  const shards = readCount(sku, item, 'shards');
  const slots = readCount(sku, item, 'shardSlots');
  if (shards < 0 || shards > MAX_STOCK_SHARDS) throw new CorruptRecordError('shards', 'is out of range');
  if (slots < 0 || slots > MAX_STOCK_SHARDS || (shards >= 2 && slots < shards)) {
    throw new CorruptRecordError('shardSlots', 'is out of range');
  }
  return slots === 0 ? UNSHARDED : { shards: shards >= 2 ? shards : 1, slots };
}

/** True when a stock item read back is a main item that has (or had) shards. */
export function isShardedMainItem(item: Record<string, AttributeValue> | undefined): boolean {
  return (
    item !== undefined && item.sk?.S === 'STOCK' && item.pk?.S?.startsWith('SKU#') === true && 'shardSlots' in item
  );
}

/** A consistent snapshot of every stock item of one SKU. */
export interface StockSnapshot {
  readonly sku: string;
  readonly layout: StockLayout;
  /** Counters per slot (main item at -1, then shards `0..slots-1`). */
  readonly counters: ReadonlyMap<number, StockCounters>;
}

/** Total of a counter over every stock item of the snapshot. */
export function snapshotTotal(snapshot: StockSnapshot, counter: keyof StockCounters = 'available'): number {
  let total = 0;
  for (const value of snapshot.counters.values()) total += value[counter];
  return total;
}

/**
 * Reads the main item and every shard of `sku` in one `TransactGetItems` (serializable with the
 * transactions that move units between them, so no unit is missed or counted twice). Learns the layout.
 */
export async function readStockSnapshot(
  ctx: InventoryContext,
  sku: string,
  operation: string,
  mode: 'transaction' | 'batch' = 'transaction',
): Promise<StockSnapshot> {
  let slots = cachedLayout(ctx, sku)?.layout.slots ?? 0;
  for (let attempt = 1; ; attempt += 1) {
    const slotList = [MAIN_STOCK_SLOT, ...Array.from({ length: slots }, (_, index) => index)];
    let responses: ItemResponse[];
    try {
      responses =
        mode === 'batch'
          ? await batchRead(ctx, sku, slotList)
          : ((
              await ctx.client.send(
                new TransactGetItemsCommand({
                  TransactItems: slotList.map((slot) => ({
                    Get: { TableName: ctx.tableName, Key: stockSlotKey(sku, slot) },
                  })),
                }),
              )
            ).Responses ?? []);
    } catch (error) {
      const failure = classifyTransactionError(error);
      if (failure.kind === 'other') throw error;
      if (attempt >= ctx.retry.maxAttempts) {
        throw new TransactionContentionError(operation, attempt, ctx.retry.retryAfterSeconds, error);
      }
      await sleep(retryDelayMs(ctx.retry, attempt, ctx.random));
      continue;
    }
    const layout = layoutOf(sku, responses[0]?.Item);
    if (layout.slots > slots) {
      // Sharded (further) since we last looked: read again with every slot.
      slots = layout.slots;
      continue;
    }
    const counters = new Map<number, StockCounters>();
    slotList.forEach((slot, index) => {
      if (slot < Math.max(layout.slots, 0) || slot === MAIN_STOCK_SLOT) {
        counters.set(slot, countersOf(sku, responses[index]?.Item));
      }
    });
    const entry = learnLayout(ctx, sku, layout);
    if (entry !== undefined) {
      for (let slot = 0; slot < layout.slots; slot += 1) entry.hints[slot] = counters.get(slot)?.available;
    }
    return { sku, layout, counters };
  }
}

/**
 * Consistent reads of each item, one after another in DynamoDB's eyes (not a snapshot: a rebalance
 * between two of them can hide units). Good for planning where to take units from, never for
 * deciding that they are missing. Unprocessed keys come back as absent, which only plans less.
 */
async function batchRead(ctx: InventoryContext, sku: string, slotList: readonly number[]): Promise<ItemResponse[]> {
  const read = await ctx.client.send(
    new BatchGetItemCommand({
      RequestItems: {
        [ctx.tableName]: { Keys: slotList.map((slot) => stockSlotKey(sku, slot)), ConsistentRead: true },
      },
    }),
  );
  const byPk = new Map((read.Responses?.[ctx.tableName] ?? []).map((item) => [item.pk?.S, item]));
  return slotList.map((slot) => {
    const item = byPk.get(stockSlotKey(sku, slot).pk.S);
    return item === undefined ? {} : { Item: item };
  });
}

/**
 * A transactional snapshot of `sku` taken after `since` (a `performance.now()` instant): joins one this
 * process already sent after that instant, else sends one. A snapshot sent after a call began is as good
 * as the call's own (its read happened within the call), so a burst of buyers told "sold out" shares
 * one read instead of queueing a read each on every shard.
 */
export function sharedSnapshot(
  ctx: InventoryContext,
  sku: string,
  operation: string,
  since: number,
): Promise<StockSnapshot> {
  const inFlight = ctx.stockLayouts.snapshots.get(sku);
  if (inFlight !== undefined && inFlight.sentAt >= since) return inFlight.read;
  const sentAt = performance.now();
  const read = readStockSnapshot(ctx, sku, operation);
  const entry = { sentAt, read };
  ctx.stockLayouts.snapshots.set(sku, entry);
  const forget = () => {
    if (ctx.stockLayouts.snapshots.get(sku) === entry) ctx.stockLayouts.snapshots.delete(sku);
  };
  read.then(forget, forget);
  return read;
}

/** Sum of this process's last known `available` of every shard of a cached SKU, if all are known. */
export function hintedTotal(ctx: InventoryContext, sku: string): number | undefined {
  const entry = cachedLayout(ctx, sku);
  if (entry === undefined || entry.hints.some((hint) => hint === undefined)) return undefined;
  return entry.hints.reduce<number>((sum, hint) => sum + (hint ?? 0), 0);
}

/** The slots reservations pick from first: the active shards, or the main item of an unsharded SKU. */
export function activeSlots(layout: StockLayout): number[] {
  return layout.shards >= 2 ? Array.from({ length: layout.shards }, (_, index) => index) : [MAIN_STOCK_SLOT];
}

/**
 * Where the first attempt of a reservation takes `quantity` units of `sku` from, without reading: the
 * main item for an unsharded (or unknown) SKU, else the next shard in this process's turn (see
 * {@link LayoutEntry.cursor}) that last had enough. `undefined` when no shard is known to have enough
 * (read a snapshot and {@link allocate}).
 */
export function pickParts(ctx: InventoryContext, sku: string, quantity: number): StockPart[] | undefined {
  const entry = cachedLayout(ctx, sku);
  if (entry === undefined || entry.layout.shards < 2) {
    // Unsharded (or units left only in old shards): the main item first, as always.
    return [{ slot: MAIN_STOCK_SLOT, quantity }];
  }
  const slots = activeSlots(entry.layout);
  for (let step = 0; step < slots.length; step += 1) {
    const turn = (entry.cursor + step) % slots.length;
    const slot = slots[turn] as number;
    if ((entry.hints[slot] ?? quantity) >= quantity) {
      entry.cursor = (turn + 1) % slots.length;
      return [{ slot, quantity }];
    }
  }
  return undefined;
}

function pickOne(slots: readonly number[], random: () => number): number {
  return slots[Math.min(slots.length - 1, Math.floor(random() * slots.length))] as number;
}

/**
 * Splits `quantity` over the snapshot's stock items: one random active shard that has enough, else the
 * fewest items, fullest first (the main item and old shards included). `undefined` when the SKU has
 * fewer units than that in all.
 */
export function allocate(
  snapshot: StockSnapshot,
  quantity: number,
  random: () => number,
  available: (slot: number) => number = (slot) => snapshot.counters.get(slot)?.available ?? 0,
): StockPart[] | undefined {
  const fits = activeSlots(snapshot.layout).filter((slot) => available(slot) >= quantity);
  if (fits.length > 0) return [{ slot: pickOne(fits, random), quantity }];
  const sources = [...snapshot.counters.keys()]
    .map((slot) => ({ slot, units: available(slot) }))
    .filter((source) => source.units > 0)
    .sort((a, b) => b.units - a.units);
  const parts: StockPart[] = [];
  let missing = quantity;
  for (const source of sources) {
    if (missing === 0) break;
    const take = Math.min(missing, source.units);
    parts.push({ slot: source.slot, quantity: take });
    missing -= take;
  }
  return missing === 0 ? parts : undefined;
}

/** Even targets per slot: the active shards share every unit, the main item and old shards get none. */
function targets(snapshot: StockSnapshot): Map<number, number> {
  const total = snapshot.counters.size === 0 ? 0 : snapshotTotal(snapshot);
  const active = activeSlots(snapshot.layout);
  const result = new Map<number, number>([...snapshot.counters.keys()].map((slot) => [slot, 0]));
  const share = Math.floor(total / active.length);
  active.forEach((slot, index) => {
    result.set(slot, share + (index < total % active.length ? 1 : 0));
  });
  return result;
}

/**
 * The moves that would even the snapshot out, or `undefined` when it is even enough: units outside the
 * active slots, or an active shard below half its share while each share is at least 2 units.
 */
export function rebalanceMoves(snapshot: StockSnapshot): Map<number, number> | undefined {
  const goal = targets(snapshot);
  const now = (slot: number) => snapshot.counters.get(slot)?.available ?? 0;
  const active = new Set(activeSlots(snapshot.layout));
  const stray = [...snapshot.counters.keys()].some((slot) => !active.has(slot) && now(slot) > 0);
  const share = Math.floor(snapshotTotal(snapshot) / active.size);
  const starved = share >= 2 && [...active].some((slot) => now(slot) < share / 2);
  if (!stray && !starved) return undefined;
  const moves = new Map<number, number>();
  for (const [slot, target] of goal) {
    if (target !== now(slot)) moves.set(slot, target - now(slot));
  }
  return moves.size === 0 ? undefined : moves;
}

/**
 * Moves units between a SKU's stock items in one transaction (donors conditioned on having them, the
 * layout conditioned on being the one the moves were computed for), so units are never created, lost
 * or oversold. Best effort: returns false when it lost a race (nothing written).
 */
export async function applyMoves(
  ctx: InventoryContext,
  snapshot: StockSnapshot,
  moves: ReadonlyMap<number, number>,
): Promise<boolean> {
  const now = String(ctx.now());
  const layoutCondition = snapshot.layout.shards >= 2 ? 'shards = :shards' : 'attribute_not_exists(shards)';
  const layoutValues: Record<string, AttributeValue> = {
    ':slots': { N: String(snapshot.layout.slots) },
    ...(snapshot.layout.shards >= 2 ? { ':shards': { N: String(snapshot.layout.shards) } } : {}),
  };
  const items: TransactWriteItem[] = [];
  for (const [slot, delta] of moves) {
    const giving = delta < 0;
    const main = slot === MAIN_STOCK_SLOT;
    const conditions = [giving ? 'available >= :give' : 'attribute_exists(pk)'];
    if (main) conditions.push(`shardSlots = :slots AND ${layoutCondition}`);
    items.push({
      Update: {
        TableName: ctx.tableName,
        Key: stockSlotKey(snapshot.sku, slot),
        ConditionExpression: conditions.join(' AND '),
        UpdateExpression: 'SET available = available + :delta, updatedAt = :now',
        ExpressionAttributeValues: {
          ':delta': { N: String(delta) },
          ':now': { N: now },
          ...(giving ? { ':give': { N: String(-delta) } } : {}),
          ...(main ? layoutValues : {}),
        },
      },
    });
  }
  if (!moves.has(MAIN_STOCK_SLOT)) {
    items.push({
      ConditionCheck: {
        TableName: ctx.tableName,
        Key: stockSlotKey(snapshot.sku, MAIN_STOCK_SLOT),
        ConditionExpression: `shardSlots = :slots AND ${layoutCondition}`,
        ExpressionAttributeValues: layoutValues,
      },
    });
  }
  try {
    await ctx.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (classifyTransactionError(error).kind === 'other') throw error;
    return false;
  }
}

/**
 * Rebalances `sku` if its snapshot is uneven, at most once at a time per process; returns the
 * `available` per slot to allocate from (the snapshot's, or the rebalanced one when the moves went through).
 */
export async function rebalanceIfUneven(
  ctx: InventoryContext,
  snapshot: StockSnapshot,
): Promise<(slot: number) => number> {
  const before = (slot: number) => snapshot.counters.get(slot)?.available ?? 0;
  const moves = rebalanceMoves(snapshot);
  if (moves === undefined || ctx.stockLayouts.rebalancing.has(snapshot.sku)) return before;
  const running = applyMoves(ctx, snapshot, moves).catch(() => false);
  ctx.stockLayouts.rebalancing.set(snapshot.sku, running);
  try {
    if (!(await running)) return before;
  } finally {
    ctx.stockLayouts.rebalancing.delete(snapshot.sku);
  }
  const entry = cachedLayout(ctx, snapshot.sku);
  const after = (slot: number) => before(slot) + (moves.get(slot) ?? 0);
  if (entry !== undefined) {
    for (let slot = 0; slot < entry.hints.length; slot += 1) entry.hints[slot] = after(slot);
  }
  return after;
}
