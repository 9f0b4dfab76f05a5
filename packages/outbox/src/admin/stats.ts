import { type Kysely, sql } from 'kysely';
import type { OutboxTable } from '../table/outbox-table.js';

/** A snapshot of the outbox, read from the table (cheap: every count uses a partial index). */
export interface OutboxStats {
  /** Rows not yet published (including ones backing off or blocked behind a dead row). */
  readonly pending: number;
  /** Age of the oldest pending row in ms (0 when none). Alarm on it: it also grows when a long transaction holds the visibility fence. */
  readonly oldestPendingAgeMs: number;
  /** Pending rows that failed at least once and wait for a retry. */
  readonly retrying: number;
  /** Rows that reached `maxAttempts`; they stay until `requeueDead`. */
  readonly dead: number;
  /** Pending rows held back because an earlier row of their group is dead (order over progress). */
  readonly blockedByDead: number;
}

/** Reads {@link OutboxStats}. */
export async function readStats<DB>(db: Kysely<DB>, table: OutboxTable): Promise<OutboxStats> {
  const t = table.ref;
  const result = await sql<{
    pending: string;
    oldest_ms: string | null;
    retrying: string;
    dead: string;
    blocked: string;
  }>`SELECT
      (SELECT count(*) FROM ${t} WHERE status = 'pending') AS pending,
      (SELECT (extract(epoch FROM clock_timestamp() - min(created_at)) * 1000)::bigint FROM ${t} WHERE status = 'pending') AS oldest_ms,
      (SELECT count(*) FROM ${t} WHERE status = 'pending' AND attempts > 0) AS retrying,
      (SELECT count(*) FROM ${t} WHERE status = 'dead') AS dead,
      (SELECT count(*) FROM ${t} p WHERE p.status = 'pending' AND p.group_key IN (
        SELECT d.group_key FROM ${t} d WHERE d.status = 'dead' AND d.group_key IS NOT NULL)) AS blocked`.execute(db);
  const row = result.rows[0];
  return {
    pending: Number(row?.pending ?? 0),
    oldestPendingAgeMs: Math.max(0, Number(row?.oldest_ms ?? 0)),
    retrying: Number(row?.retrying ?? 0),
    dead: Number(row?.dead ?? 0),
    blockedByDead: Number(row?.blocked ?? 0),
  };
}
