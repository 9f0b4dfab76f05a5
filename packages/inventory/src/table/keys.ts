import { createHash } from 'node:crypto';

/** Primary key of the stock item of `sku`. */
export function stockKey(sku: string): { pk: { S: string }; sk: { S: string } } {
  return { pk: { S: `SKU#${sku}` }, sk: { S: 'STOCK' } };
}

/** Primary key of the reservation item of `orderId`. */
export function reservationKey(orderId: string): { pk: { S: string }; sk: { S: string } } {
  return { pk: { S: `ORDER#${orderId}` }, sk: { S: 'RESERVATION' } };
}

/** Primary key of one cart snapshot. */
export function cartKey(customerId: string, attemptId: string): { pk: { S: string }; sk: { S: string } } {
  return { pk: { S: `CART#${customerId}` }, sk: { S: `ATTEMPT#${attemptId}` } };
}

/** The pending-index partition of an order: a stable hash, so every writer and sweeper agrees. */
export function pendingShardOf(orderId: string, shards: number): string {
  const hash = createHash('sha256').update(orderId).digest().readUInt32BE(0);
  return `PENDING#${hash % shards}`;
}

/** Sort key in the pending index: deadline first (zero-padded, so strings sort like numbers). */
export function pendingDeadlineKey(deadlineMs: number, orderId: string): string {
  return `${deadlineSortPrefix(deadlineMs)}#${orderId}`;
}

/** The zero-padded deadline part of {@link pendingDeadlineKey}. */
export function deadlineSortPrefix(deadlineMs: number): string {
  return String(deadlineMs).padStart(15, '0');
}

/** All pending-index partitions a sweeper must read. */
export function allPendingShards(shards: number): string[] {
  return Array.from({ length: shards }, (_, index) => `PENDING#${index}`);
}

/** Slot number of a SKU's main stock item (`SKU#<sku>` / `STOCK`) in an allocation. */
export const MAIN_STOCK_SLOT = -1;

/**
 * Primary key of stock slot `slot` of `sku`: the main item for {@link MAIN_STOCK_SLOT}, else shard item
 * `SHARD#<slot>#SKU#<sku>` / `STOCK`. Each shard has its own partition key, so a hot SKU's writes spread
 * over as many partitions as it has shards (the slot number comes first: digits, then `#`, so no two
 * SKUs' shard keys can meet).
 */
export function stockSlotKey(sku: string, slot: number): { pk: { S: string }; sk: { S: string } } {
  return slot === MAIN_STOCK_SLOT ? stockKey(sku) : { pk: { S: `SHARD#${slot}#SKU#${sku}` }, sk: { S: 'STOCK' } };
}
