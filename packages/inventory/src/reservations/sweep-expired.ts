import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ReservationNotFoundError } from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { allPendingShards, deadlineSortPrefix } from '../table/keys.js';
import { PENDING_INDEX_NAME } from '../table/table-definition.js';
import { validatePositiveInteger } from '../validation/validate-input.js';
import { settle } from './settle.js';

/** Options of `sweepExpired`. */
export interface SweepOptions {
  /** Expire reservations whose deadline is at or before this instant. Default: the inventory's clock. */
  readonly now?: Date;
  /** Most reservations examined in one sweep (default 500); run again for the rest. */
  readonly limit?: number;
  /** Reservations expired in parallel (default 4). */
  readonly concurrency?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Past-deadline pending reservations found in the index. */
  readonly examined: number;
  /** Reservations this sweep expired (their stock returned by this sweep). */
  readonly expired: number;
  /** Found, but already committed, released or expired by someone else (another sweeper). */
  readonly alreadySettled: number;
  /** Could not be expired this time (contention or errors); the next sweep retries them. */
  readonly failed: number;
}

/**
 * Expires every pending reservation past its deadline and returns its stock. Safe to run from
 * several processes at once: each expiry is a transaction conditioned on the reservation still being
 * PENDING, so exactly one sweeper (or a racing commit/release) wins per reservation.
 */
export async function sweepExpired(ctx: InventoryContext, options: SweepOptions = {}): Promise<SweepResult> {
  const now = options.now ?? ctx.now();
  const limit = validatePositiveInteger('options.limit', options.limit ?? 500, 100_000);
  const concurrency = validatePositiveInteger('options.concurrency', options.concurrency ?? 4, 64);
  const orderIds = await findExpiredOrderIds(ctx, now, limit);

  let expired = 0;
  let alreadySettled = 0;
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, orderIds.length) }, async () => {
      while (next < orderIds.length) {
        const orderId = orderIds[next] as string;
        next += 1;
        try {
          const result = await settle(ctx, orderId, 'expire', now);
          if (result.changed) expired += 1;
          else alreadySettled += 1;
        } catch (error) {
          if (error instanceof ReservationNotFoundError) alreadySettled += 1;
          else failed += 1;
        }
      }
    }),
  );
  return { examined: orderIds.length, expired, alreadySettled, failed };
}

async function findExpiredOrderIds(ctx: InventoryContext, now: Date, limit: number): Promise<string[]> {
  // Sort keys are `<zero-padded deadline>#<orderId>`: everything below the padded `now + 1` has a
  // deadline at or before `now`.
  const cutoff = deadlineSortPrefix(now.getTime() + 1);
  const found: string[] = [];
  // An equal share per shard, so a backlog in one shard cannot starve the others.
  const perShard = Math.ceil(limit / ctx.pendingShards);
  for (const shard of allPendingShards(ctx.pendingShards)) {
    let fromShard = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await ctx.client.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: PENDING_INDEX_NAME,
          KeyConditionExpression: 'pendingShard = :shard AND pendingDeadline < :cutoff',
          ExpressionAttributeValues: { ':shard': { S: shard }, ':cutoff': { S: cutoff } },
          Limit: Math.min(perShard - fromShard, 1000),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S;
        if (pk?.startsWith('ORDER#')) {
          found.push(pk.slice('ORDER#'.length));
          fromShard += 1;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && fromShard < perShard);
  }
  return found;
}
