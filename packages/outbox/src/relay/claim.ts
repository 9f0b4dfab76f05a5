import { sql } from 'kysely';
import type { OutboxTable } from '../table/outbox-table.js';
import type { HeldConnection } from './connections.js';

/** A pending row of a locked group, in publish order. */
export interface ClaimedRow {
  readonly id: string;
  readonly destination: string;
  readonly group_key: string | null;
  readonly body: string;
  readonly attributes: Record<string, string | number> | null;
  readonly delay_seconds: number | null;
  readonly attempts: number;
  /** False while the row is backing off after a failure. */
  readonly ready: boolean;
  /** True when the row's transaction is older than every running one (below the visibility fence). */
  readonly fenced: boolean;
  /**
   * True when a publish of this row began and no outcome was recorded (the relay died or hung during
   * it). Such a row is published alone, so a row that crashes the relay uses up only its own attempts.
   */
  readonly in_doubt: boolean;
  /** Trace context captured at enqueue (W3C); `undefined` from a claim function older than the upgrade. */
  readonly trace_parent?: string | null;
  readonly trace_state?: string | null;
}

/** What one claim returned. */
export interface Claim {
  /** Claimable pending rows the claim looked at (0: nothing claimable right now). */
  readonly candidates: number;
  /** Rows of the locked groups, in id order (the caller cuts each group at its first unready row). */
  readonly rows: ClaimedRow[];
}

/**
 * Locks whole groups and reads their pending rows, in one round trip, through the claim function
 * the migration created (see `claim-function.ts` for the two statements it runs and why they are
 * two). The locks are transaction-level: they hold until the held connection's transaction ends.
 *
 * In the same statement it takes the transaction-level advisory lock `roundLockKey` (the key of the
 * round's in-flight record: while the transaction holds it, the record is live), saving a round
 * trip before the first publish. The claim always returns at least one row, and the lock's
 * one-row CTE is joined to it, so the lock is taken whenever the statement returns; a round that
 * claims nothing just holds an unused random key until its transaction ends.
 */
export async function claimRows(
  held: HeldConnection,
  table: OutboxTable,
  batchSize: number,
  window: number,
  timeoutMs: number,
  roundLockKey: string,
): Promise<Claim> {
  const result = await held.query(sql<ClaimedRow & { candidates: string | null; id: string | null }>`
    WITH round_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${roundLockKey}::bigint) AS locked)
    SELECT c.* FROM ${table.claimFunction}(${window}::integer, ${batchSize}::integer, ${table.lockSeed}::bigint, ${String(timeoutMs)}::text) AS c
    CROSS JOIN round_lock`);
  const rows: ClaimedRow[] = [];
  for (const row of result) if (row.id !== null) rows.push(row as ClaimedRow);
  return { candidates: Number(result[0]?.candidates ?? 0), rows };
}
