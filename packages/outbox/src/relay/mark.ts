import { sql, type Transaction } from 'kysely';
import type { OutboxTable } from '../table/outbox-table.js';

/** A row whose publish failed, with the delay before its next try. */
export interface FailedRow {
  readonly id: string;
  readonly error: string;
  readonly retryInMs: number;
}

/**
 * Records a round in one statement: sent rows become `sent` (or are deleted), failed rows get
 * their attempt, error and next try; a row reaching `maxAttempts` becomes `dead`. Returns how many
 * went dead.
 */
export async function markRound<DB>(
  trx: Transaction<DB>,
  table: OutboxTable,
  sentIds: readonly string[],
  failed: readonly FailedRow[],
  options: { readonly maxAttempts: number; readonly onSent: 'keep' | 'delete' },
): Promise<{ dead: number }> {
  const t = table.ref;
  const sent =
    options.onSent === 'delete'
      ? sql`DELETE FROM ${t} WHERE id = ANY(${sentIds}::bigint[])`
      : sql`UPDATE ${t} SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
          WHERE id = ANY(${sentIds}::bigint[])`;
  if (failed.length === 0) {
    // No RETURNING: nothing to ship back for the common, all-sent round.
    await sent.execute(trx);
    return { dead: 0 };
  }
  // Errors are stored truncated: enough to diagnose, never a whole payload echoed back by the broker.
  const result = await sql<{ dead: string }>`
    WITH ok AS (${sent} RETURNING 1),
    bad AS (
      UPDATE ${t} AS o SET
        attempts = o.attempts + 1,
        last_error = left(f.error, 2000),
        available_at = now() + make_interval(secs => f.delay_ms / 1000.0),
        status = CASE WHEN o.attempts + 1 >= ${options.maxAttempts} THEN 'dead' ELSE 'pending' END
      FROM unnest(${failed.map((f) => f.id)}::bigint[], ${failed.map((f) => f.error)}::text[],
        ${failed.map((f) => f.retryInMs)}::int[]) AS f(id, error, delay_ms)
      WHERE o.id = f.id
      RETURNING o.status
    )
    SELECT (SELECT count(*) FROM bad WHERE status = 'dead')::text AS dead, (SELECT count(*) FROM ok) AS sent`.execute(
    trx,
  );
  return { dead: Number(result.rows[0]?.dead ?? 0) };
}
