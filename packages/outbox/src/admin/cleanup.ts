import { type Kysely, sql } from 'kysely';
import { OutboxConfigError } from '../errors.js';
import type { OutboxTable } from '../table/outbox-table.js';

/** Options of {@link Outbox.cleanup}. */
export interface CleanupOptions {
  /** Keep sent rows this long after they were sent (ms). */
  readonly retentionMs: number;
  /** Rows deleted per statement (each its own short transaction). Default 1000. */
  readonly batchSize?: number;
  /** Stop after this many batches even if more rows qualify. Default 100. */
  readonly maxBatches?: number;
}

/**
 * Checks {@link CleanupOptions} (throws `OutboxConfigError` naming `prefix` + the option)
 * and fills in the defaults. Internal: the relay checks its `cleanup` option with it up front.
 */
export function validateCleanupOptions(
  options: CleanupOptions,
  prefix = '',
): { retentionMs: number; batchSize: number; maxBatches: number } {
  const { retentionMs } = options;
  const batchSize = options.batchSize ?? 1000;
  const maxBatches = options.maxBatches ?? 100;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0) {
    throw new OutboxConfigError(`${prefix}retentionMs`, 'must be a non-negative integer');
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new OutboxConfigError(`${prefix}batchSize`, 'must be an integer from 1 to 100000');
  }
  if (!Number.isSafeInteger(maxBatches) || maxBatches < 1) {
    throw new OutboxConfigError(`${prefix}maxBatches`, 'must be a positive integer');
  }
  return { retentionMs, batchSize, maxBatches };
}

/** Deletes sent rows older than the retention, in bounded batches. Never touches pending or dead rows. */
export async function cleanupSentRows<DB>(
  db: Kysely<DB>,
  table: OutboxTable,
  options: CleanupOptions,
): Promise<number> {
  const { retentionMs, batchSize, maxBatches } = validateCleanupOptions(options);
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    // Safe from any number of callers at once (a relay's timer, a cron job, an operator): each
    // statement locks its rows with SKIP LOCKED, in one order, before deleting them, so two cleanups
    // never wait for each other (no deadlock) and never count one row twice.
    const result = await sql<{ n: string }>`
      WITH gone AS (
        DELETE FROM ${table.ref} WHERE id IN (
          SELECT id FROM ${table.ref}
          WHERE status = 'sent' AND sent_at < now() - make_interval(secs => ${retentionMs}::double precision / 1000)
          ORDER BY sent_at, id LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED)
        RETURNING 1
      ) SELECT count(*)::text AS n FROM gone`.execute(db);
    const deleted = Number(result.rows[0]?.n ?? 0);
    total += deleted;
    // A short batch may only mean another cleanup holds the rest: stop when nothing is left for us.
    if (deleted === 0) break;
  }
  return total;
}
