import { type RawBuilder, sql } from 'kysely';
import type { OutboxSchemaVersion, OutboxTable } from './outbox-table.js';

/**
 * Most rows a claim returns, as a multiple of `batchSize`. `batchSize` bounds the groups (advisory
 * locks) a round takes and the window rows they hold; a locked group may give up to this many times
 * more of its rows, which the relay sends in consecutive waves (one row per group per call).
 */
export const ROUND_DEPTH = 10;

/**
 * DDL of `<table>_claim(window, batch, seed, timeout_ms)`: both claim statements in one round trip.
 *
 * Statement 1 reads the oldest `window` claimable pending rows (below the xid8 fence, not backing
 * off, not in a group blocked by a dead or retrying head) and takes transaction-level advisory locks
 * on whole groups, oldest first, until the locked groups hold about `batch` of those rows
 * (`pg_try_`: relays skip each other's groups). It also bounds the transaction (SET LOCAL):
 * `idle_in_transaction_session_timeout` is what frees the groups of a relay that hangs while it
 * holds them.
 *
 * Statement 2 reads the locked groups' pending rows in id order (up to `ROUND_DEPTH x batch` rows,
 * shared between the groups; a group with a dead row gives none). It must be a separate statement:
 * a VOLATILE PL/pgSQL function takes a fresh snapshot per statement, so this one sees every row the
 * previous owner marked sent before releasing the group. (One statement that locks and reads reads
 * a snapshot older than the lock and can re-send rows out of order.) Each group gives a prefix of
 * its rows through the `(group_key, (id + 0))` index, which nothing but this index can serve.
 *
 * When nothing is locked it returns one row with only `candidates` set (0: nothing claimable;
 * more: other relays own every claimable group).
 */
export function claimFunctionDdl(t: OutboxTable, version: OutboxSchemaVersion = 2): RawBuilder<unknown> {
  // Version 2 also returns the trace context captured at enqueue (version 1: the table before it).
  const traceColumns = version === 2 ? sql`, trace_parent text, trace_state text` : sql``;
  const traceOf = (alias: string) => (version === 2 ? sql.raw(`, ${alias}.trace_parent, ${alias}.trace_state`) : sql``);
  return sql`CREATE FUNCTION ${t.claimFunction}(p_window integer, p_batch integer, p_seed bigint, p_timeout text)
RETURNS TABLE (candidates bigint, id bigint, destination text, group_key text, body text, attributes jsonb,
  delay_seconds integer, attempts integer, ready boolean, fenced boolean, in_doubt boolean${traceColumns})
LANGUAGE plpgsql VOLATILE
AS $claim$
#variable_conflict use_column
DECLARE
  v_candidates bigint;
  v_groups text[];
  v_solo bigint[];
  v_per_group integer;
BEGIN
  PERFORM set_config('statement_timeout', p_timeout, true), set_config('lock_timeout', p_timeout, true),
    set_config('idle_in_transaction_session_timeout', p_timeout, true);

  WITH cand AS MATERIALIZED (
    SELECT o.id, o.group_key FROM ${t.ref} o
    WHERE o.status = 'pending' AND o.txid < pg_snapshot_xmin(pg_current_snapshot()) AND o.available_at <= now()
      AND (o.group_key IS NULL OR o.group_key NOT IN (
        SELECT b.group_key FROM ${t.ref} b
        WHERE (b.status = 'dead' OR (b.status = 'pending' AND b.attempts > 0))
          AND b.group_key IS NOT NULL AND (b.status = 'dead' OR b.available_at > now())))
    ORDER BY o.txid, o.id
    LIMIT p_window
  ),
  units AS MATERIALIZED (
    SELECT c.group_key, CASE WHEN c.group_key IS NULL THEN c.id END AS solo_id, min(c.id) AS first_id
    FROM cand c
    GROUP BY c.group_key, CASE WHEN c.group_key IS NULL THEN c.id END
    ORDER BY first_id
  ),
  counts AS (SELECT (SELECT count(*) FROM cand) AS nrows, (SELECT count(*) FROM units) AS nunits),
  locked AS MATERIALIZED (
    SELECT l.group_key, l.solo_id FROM counts
    CROSS JOIN LATERAL (
      SELECT u.group_key, u.solo_id FROM units u
      WHERE pg_try_advisory_xact_lock(CASE
        WHEN u.group_key IS NULL THEN hashtextextended(u.solo_id::text, p_seed + 1)
        ELSE hashtextextended(u.group_key, p_seed) END)
      LIMIT ceil(p_batch::numeric * counts.nunits / greatest(counts.nrows, 1))
    ) l
  )
  SELECT (SELECT counts.nrows FROM counts),
    coalesce((SELECT array_agg(k.group_key) FROM locked k WHERE k.group_key IS NOT NULL), '{}'),
    coalesce((SELECT array_agg(k.solo_id) FROM locked k WHERE k.group_key IS NULL), '{}')
  INTO v_candidates, v_groups, v_solo;

  IF cardinality(v_groups) + cardinality(v_solo) = 0 THEN
    candidates := v_candidates;
    RETURN NEXT;
    RETURN;
  END IF;

  -- Up to ROUND_DEPTH x p_batch rows from the locked groups: a group's rows beyond the window are
  -- read too (it is locked, and the caller cuts it at its first unfenced or unready row), so a round
  -- carries many rows per lock and per window scan when groups have backlogs.
  v_per_group := greatest(1, ceil(p_batch::numeric * ${sql.lit(ROUND_DEPTH)} / greatest(cardinality(v_groups), 1)))::integer;
  RETURN QUERY
    SELECT v_candidates, r.id, r.destination, r.group_key, r.body::text, r.attributes, r.delay_seconds,
      r.attempts, r.available_at <= now(), r.txid < pg_snapshot_xmin(pg_current_snapshot()),
      r.in_flight_since IS NOT NULL${traceOf('r')}
    FROM (
      SELECT p.* FROM unnest(v_groups) AS g(key)
      CROSS JOIN LATERAL (
        SELECT o.id, o.destination, o.group_key, o.body, o.attributes, o.delay_seconds, o.attempts,
          o.available_at, o.txid, o.in_flight_since${traceOf('o')}
        FROM ${t.ref} o
        WHERE o.status = 'pending' AND o.group_key = g.key
        ORDER BY o.id + 0
        LIMIT v_per_group
      ) p
      -- Re-checked in this statement's snapshot: a head the previous owner marked dead after
      -- statement 1's snapshot was taken must still block its group.
      WHERE NOT EXISTS (SELECT 1 FROM ${t.ref} d WHERE d.status = 'dead' AND d.group_key = g.key)
      UNION ALL
      SELECT o.id, o.destination, o.group_key, o.body, o.attributes, o.delay_seconds, o.attempts,
        o.available_at, o.txid, o.in_flight_since${traceOf('o')}
      FROM ${t.ref} o
      WHERE o.id = ANY(v_solo) AND o.status = 'pending' AND o.group_key IS NULL
    ) r
    ORDER BY r.id
    LIMIT p_batch * ${sql.lit(ROUND_DEPTH)};
END;
$claim$`;
}
