import { sql, type Transaction } from 'kysely';
import type { OutboxTable } from '../table/outbox-table.js';

/** What a claim locked: whole groups (by key) and single ungrouped rows (by id). */
export interface ClaimedUnits {
  /** Pending rows the claim looked at (0: nothing claimable right now). */
  readonly candidates: number;
  readonly groups: string[];
  readonly soloIds: string[];
}

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
}

/** Rows below this fence belong to finished transactions: nothing can commit before them any more. */
const fence = sql`pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * Statement 1 of a claim: looks at the oldest `window` claimable pending rows (below the fence, not
 * backing off, not in a group blocked by a dead or retrying head) and takes transaction-level
 * advisory locks on whole groups, in order of their oldest row, until the locked groups hold about
 * `batchSize` of those rows. Locks are tried with `pg_try_`, so relays skip each other's groups.
 *
 * It also bounds the rest of the transaction (SET LOCAL, in the same round trip):
 * `idle_in_transaction_session_timeout` is what frees the groups of a relay that hangs (SIGSTOP, a
 * stuck event loop) while it holds them: the server ends its session and with it the locks.
 */
export async function lockGroups<DB>(
  trx: Transaction<DB>,
  table: OutboxTable,
  batchSize: number,
  window: number,
  timeoutMs: number,
): Promise<ClaimedUnits> {
  const ms = String(timeoutMs);
  const t = table.ref;
  const result = await sql<{ candidates: string; group_key: string | null; solo_id: string | null }>`
    WITH cand AS MATERIALIZED (
      SELECT id, group_key FROM ${t}
      WHERE status = 'pending' AND txid < ${fence} AND available_at <= now()
        AND (group_key IS NULL OR group_key NOT IN (
          SELECT b.group_key FROM ${t} b
          WHERE (b.status = 'dead' OR (b.status = 'pending' AND b.attempts > 0))
            AND b.group_key IS NOT NULL AND (b.status = 'dead' OR b.available_at > now())))
      -- (txid, id) is the order of the pending partial index only: no plan can walk the primary key
      -- over retained sent rows instead, and the fence becomes an index range condition.
      ORDER BY txid, id
      LIMIT ${window}
    ),
    units AS MATERIALIZED (
      SELECT group_key, CASE WHEN group_key IS NULL THEN id END AS solo_id, min(id) AS first
      FROM cand
      GROUP BY group_key, CASE WHEN group_key IS NULL THEN id END
      ORDER BY first
    ),
    counts AS (
      SELECT (SELECT count(*) FROM cand) AS nrows, (SELECT count(*) FROM units) AS nunits,
        set_config('statement_timeout', ${ms}, true) AS c1, set_config('lock_timeout', ${ms}, true) AS c2,
        set_config('idle_in_transaction_session_timeout', ${ms}, true) AS c3
    )
    SELECT counts.nrows::text AS candidates, l.group_key, l.solo_id::text AS solo_id
    FROM counts
    LEFT JOIN LATERAL (
      SELECT u.group_key, u.solo_id FROM units u
      WHERE pg_try_advisory_xact_lock(CASE
        WHEN u.group_key IS NULL THEN hashtextextended(u.solo_id::text, ${table.lockSeed + 1})
        ELSE hashtextextended(u.group_key, ${table.lockSeed}) END)
      LIMIT ceil(${batchSize}::numeric * counts.nunits / greatest(counts.nrows, 1))
    ) l ON true`.execute(trx);
  const groups: string[] = [];
  const soloIds: string[] = [];
  for (const row of result.rows) {
    if (row.group_key !== null) groups.push(row.group_key);
    else if (row.solo_id !== null) soloIds.push(row.solo_id);
  }
  return { candidates: Number(result.rows[0]?.candidates ?? 0), groups, soloIds };
}

/**
 * Statement 2 of a claim, run after the locks are held so its snapshot sees every row committed
 * before we got them (a lock and a read in one statement would read a snapshot older than the
 * lock: a relay could re-send rows another relay had just marked sent). Rows come in id order with
 * their fence and backoff state; the caller cuts each group at its first row that is not both
 * fenced and ready, so a group never skips ahead of a row that is still settling.
 */
export async function fetchClaimedRows<DB>(
  trx: Transaction<DB>,
  table: OutboxTable,
  units: ClaimedUnits,
  batchSize: number,
): Promise<ClaimedRow[]> {
  // One index range scan per locked group on the pending (group_key, id) index, never a scan of the
  // whole id range (which would step over every retained sent row). Each group contributes a prefix
  // of its rows, just enough for the round: the cursor publishes a group's rows in waves anyway.
  const perGroup = Math.max(1, Math.ceil(batchSize / Math.max(1, units.groups.length)));
  const result = await sql<ClaimedRow>`
    SELECT r.id::text AS id, r.destination, r.group_key, r.body::text AS body, r.attributes, r.delay_seconds,
      r.attempts, r.available_at <= now() AS ready, r.txid < ${fence} AS fenced
    FROM (
      SELECT p.* FROM unnest(${units.groups}::text[]) AS g(key)
      CROSS JOIN LATERAL (
        SELECT o.id, o.destination, o.group_key, o.body, o.attributes, o.delay_seconds, o.attempts, o.available_at, o.txid
        FROM ${table.ref} AS o
        WHERE o.status = 'pending' AND o.group_key = g.key
        -- \`id + 0\` matches the pending (group_key, (id + 0)) index and nothing else: the planner
        -- cannot walk the primary key in id order through retained sent rows instead.
        ORDER BY o.id + 0
        LIMIT ${perGroup}
      ) p
      UNION ALL
      SELECT o.id, o.destination, o.group_key, o.body, o.attributes, o.delay_seconds, o.attempts, o.available_at, o.txid
      FROM ${table.ref} AS o
      WHERE o.id = ANY(${units.soloIds}::bigint[]) AND o.status = 'pending' AND o.group_key IS NULL
    ) r
    -- Order by the bigint column (r.id), not by the text alias \`id\`: '1000' < '999'.
    ORDER BY r.id
    LIMIT ${batchSize}`.execute(trx);
  return result.rows;
}
