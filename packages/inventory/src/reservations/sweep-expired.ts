import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { InventoryInputError, ReservationNotFoundError } from '../errors.js';
import type { InventoryContext } from '../inventory-context.js';
import { notifyError } from '../inventory-observer.js';
import { allPendingShards, deadlineSortPrefix } from '../table/keys.js';
import { PENDING_INDEX_NAME } from '../table/table-definition.js';
import { epochMsProblem, validatePositiveInteger } from '../validation/validate-input.js';
import { settle } from './settle.js';

/** Options of `sweepExpired`. */
export interface SweepOptions {
  /**
   * Expire reservations whose deadline is at or before this instant, in epoch milliseconds. Default:
   * the inventory's clock (`now` option).
   */
  readonly now?: number;
  /**
   * Most reservations examined in one sweep (default 500, at most 100,000): the sweep reads at most this
   * many keys from the index and expires at most this many reservations. Run again for the rest.
   */
  readonly limit?: number;
  /** Reservations expired in parallel (default 4). */
  readonly concurrency?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Past-deadline pending reservations found in the index (at most `limit`); each one was tried once. */
  readonly examined: number;
  /** Reservations this sweep expired (their stock returned by this sweep). */
  readonly expired: number;
  /** Found, but already committed, released or expired by someone else (another sweeper). */
  readonly alreadySettled: number;
  /** Could not be expired this time (contention or errors, each reported to `observer.error`); the next sweep retries them. */
  readonly failed: number;
}

/**
 * Expires every pending reservation past its deadline and returns its stock. Safe to run from
 * several processes at once: each expiry is a transaction conditioned on the reservation still being
 * PENDING, so exactly one sweeper (or a racing commit/release) wins per reservation.
 */
export async function sweepExpired(ctx: InventoryContext, options: SweepOptions = {}): Promise<SweepResult> {
  if (typeof options !== 'object' || options === null) {
    throw new InventoryInputError('options', 'must be an object { now?, limit?, concurrency? }');
  }
  // A non-number would make the index cutoff `NaN` (a sweep that silently finds nothing).
  const problem = options.now === undefined ? undefined : epochMsProblem(options.now);
  if (problem !== undefined) throw new InventoryInputError('options.now', problem);
  const now = options.now === undefined ? ctx.now() : Math.floor(options.now);
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
          else {
            failed += 1;
            notifyError(ctx.observer, { operation: 'sweepExpired', orderId, error });
          }
        }
      }
    }),
  );
  return { examined: orderIds.length, expired, alreadySettled, failed };
}

type StartKey = Record<string, AttributeValue>;

/**
 * At most `limit` past-deadline order ids from the pending index, never more: each Query asks for no more
 * keys than are still wanted. First every shard gets an equal share, so a backlog in one shard cannot
 * starve the others (the remainder goes to the shards after a random starting point, so with a limit
 * below the shard count no shard is always left out); then what the shares left unused goes to shards
 * that still have candidates.
 */
async function findExpiredOrderIds(ctx: InventoryContext, now: number, limit: number): Promise<string[]> {
  // Sort keys are `<zero-padded deadline>#<orderId>`: everything below the padded `now + 1` has a
  // deadline at or before `now`.
  const cutoff = deadlineSortPrefix(now + 1);
  const shards = allPendingShards(ctx.pendingShards);
  const start = Math.floor(ctx.random() * shards.length) % shards.length;
  const order = shards.map((_, index) => shards[(start + index) % shards.length] as string);
  const found: string[] = [];
  const resumeFrom = new Map<string, StartKey>();
  const exhausted = new Set<string>();

  async function read(shard: string, wanted: number): Promise<void> {
    let got = 0;
    while (got < wanted && !exhausted.has(shard)) {
      const page = await ctx.client.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: PENDING_INDEX_NAME,
          KeyConditionExpression: 'pendingShard = :shard AND pendingDeadline < :cutoff',
          ExpressionAttributeValues: { ':shard': { S: shard }, ':cutoff': { S: cutoff } },
          Limit: Math.min(wanted - got, 1000),
          ExclusiveStartKey: resumeFrom.get(shard),
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S;
        if (pk?.startsWith('ORDER#') && got < wanted) {
          found.push(pk.slice('ORDER#'.length));
          got += 1;
        }
      }
      if (page.LastEvaluatedKey === undefined) exhausted.add(shard);
      else resumeFrom.set(shard, page.LastEvaluatedKey);
    }
  }

  const share = Math.floor(limit / shards.length);
  const remainder = limit % shards.length;
  for (const [index, shard] of order.entries()) {
    const wanted = share + (index < remainder ? 1 : 0);
    if (wanted > 0) await read(shard, wanted);
  }
  for (const shard of order) {
    if (found.length >= limit) break;
    await read(shard, limit - found.length);
  }
  return found;
}
