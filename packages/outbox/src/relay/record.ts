import { type RawBuilder, sql } from 'kysely';
import type { OutboxTable } from '../table/outbox-table.js';

/** A row whose publish failed, with the delay before its next try. */
export interface FailedRow {
  readonly id: string;
  readonly error: string;
  readonly retryInMs: number;
  /** The destination was not taking anything (an outage): retried, never made `dead` for it. */
  readonly retryable: boolean;
}

/** A row that goes dead without being published, with the reason. */
export interface DeadRow {
  readonly id: string;
  readonly error: string;
}

/** What a round learned since its last record, and the rows it is about to publish. */
export interface RoundRecord {
  /**
   * True when the rows' attempts were counted before their publish (per call, rows in doubt);
   * false when this record counts them (a round covered by an in-flight record).
   */
  readonly counted: boolean;
  /** The round's in-flight record, deleted with this record (its outcome is now known). */
  readonly inflightId: string | null;
  /** Accepted by the publisher: `sent` (or deleted). */
  readonly sent: readonly string[];
  /**
   * Refused or no outcome: last error, next try, `dead` once `attempts` reached `maxAttempts` (never for
   * a retryable failure).
   */
  readonly failed: readonly FailedRow[];
  /** Used up their attempts without any recorded outcome (they crashed or hung relays): `dead` now. */
  readonly dead: readonly DeadRow[];
  /** About to be published: their attempt is counted (and `in_flight_since` set) before the call. */
  readonly starting: readonly string[];
}

/** True when `record` holds nothing to write. */
export function isEmptyRecord(record: RoundRecord): boolean {
  return (
    record.sent.length + record.failed.length + record.dead.length + record.starting.length === 0 &&
    record.inflightId === null
  );
}

/**
 * One statement, in its own transaction (committed before the next publish call, so it survives the
 * relay process): outcomes since the last record, and the attempts of the call about to start.
 * Only `pending` rows change, so a relay resumed after its groups moved on cannot undo another
 * relay's work. The commit does not wait for the WAL flush (`synchronous_commit = off` for this
 * transaction only): a Postgres crash may lose the last few records, which means a re-send (at least
 * once) or an uncounted attempt, never a lost row; a relay crash loses nothing.
 */
export function recordStatement(
  table: OutboxTable,
  record: RoundRecord,
  options: { readonly maxAttempts: number; readonly onSent: 'keep' | 'delete' },
): RawBuilder<{ dead: string }> {
  const t = table.ref;
  const add = record.counted ? 0 : 1;
  const sent =
    options.onSent === 'delete'
      ? sql`DELETE FROM ${t} WHERE id = ANY(${record.sent}::bigint[]) AND status = 'pending'`
      : sql`UPDATE ${t} SET status = 'sent', sent_at = now(), last_error = NULL, in_flight_since = NULL,
          attempts = attempts + ${add}::integer
          WHERE id = ANY(${record.sent}::bigint[]) AND status = 'pending'`;
  const failed = record.failed;
  // Errors are stored truncated: enough to diagnose, never a whole payload echoed back by the broker.
  return sql<{ dead: string }>`
    WITH durability AS (SELECT set_config('synchronous_commit', 'off', true) AS setting),
    ok AS (${sent} RETURNING 1),
    bad AS (
      UPDATE ${t} AS o SET
        attempts = o.attempts + ${add}::integer,
        last_error = left(f.error, 2000),
        available_at = now() + make_interval(secs => f.delay_ms / 1000.0),
        status = CASE WHEN NOT f.retryable AND o.attempts + ${add}::integer >= ${options.maxAttempts}
          THEN 'dead' ELSE 'pending' END,
        in_flight_since = NULL
      FROM unnest(${failed.map((f) => f.id)}::bigint[], ${failed.map((f) => f.error)}::text[],
        ${failed.map((f) => f.retryInMs)}::int[], ${failed.map((f) => f.retryable)}::boolean[])
        AS f(id, error, delay_ms, retryable)
      WHERE o.id = f.id AND o.status = 'pending'
      RETURNING o.status
    ),
    gone AS (
      UPDATE ${t} AS o SET status = 'dead', last_error = left(d.error, 2000), in_flight_since = NULL
      FROM unnest(${record.dead.map((d) => d.id)}::bigint[], ${record.dead.map((d) => d.error)}::text[]) AS d(id, error)
      WHERE o.id = d.id AND o.status = 'pending'
      RETURNING 1
    ),
    started AS (
      UPDATE ${t} SET attempts = attempts + 1, in_flight_since = now()
      WHERE id = ANY(${record.starting}::bigint[]) AND status = 'pending'
      RETURNING 1
    ),
    closed AS (DELETE FROM ${table.inflightRef} WHERE id = ${record.inflightId}::bigint RETURNING 1)
    SELECT ((SELECT count(*) FROM bad WHERE status = 'dead') + (SELECT count(*) FROM gone))::text AS dead,
      (SELECT count(*) FROM ok) AS sent, (SELECT count(*) FROM started) AS started, (SELECT count(*) FROM closed) AS closed,
      (SELECT setting FROM durability) AS durability`;
}

/** What {@link openStatement} found and did. */
export interface OpenResult {
  /** The round's in-flight record, or `null` when none was written (rows in doubt: publish call by call). */
  readonly record_id: string | null;
  /** Claimed rows charged an attempt just now (a relay died during their publish), with their new count. */
  readonly charged: ReadonlyArray<{ readonly id: string; readonly attempts: number }>;
}

/**
 * Before a round's first publish call, in its own committed transaction: takes over every in-flight
 * record whose round has ended without its mark (its advisory lock is free: the relay died, or its
 * session was ended while it was paused), charging each of its pending rows one attempt and marking
 * them in doubt; then, when `open` and none of the claimed rows was charged, writes this round's
 * record covering `ids`, under `lockKey` (which the round's transaction already holds). One
 * statement, whatever the number of rows; the in-flight table holds one row per live round.
 */
export function openStatement(
  table: OutboxTable,
  ids: readonly string[],
  open: boolean,
  lockKey: string,
): RawBuilder<OpenResult> {
  const t = table.ref;
  return sql<OpenResult>`
    WITH durability AS (SELECT set_config('synchronous_commit', 'off', true) AS setting),
    left_over AS (
      DELETE FROM ${table.inflightRef} AS i WHERE pg_try_advisory_xact_lock(i.lock_key)
      RETURNING i.row_ids, i.started_at
    ),
    charged AS (
      UPDATE ${t} AS o SET attempts = o.attempts + 1, in_flight_since = coalesce(o.in_flight_since, h.started_at)
      FROM (
        SELECT u.id, min(l.started_at) AS started_at
        FROM left_over AS l CROSS JOIN LATERAL unnest(l.row_ids) AS u(id)
        GROUP BY u.id
      ) AS h
      WHERE o.id = h.id AND o.status = 'pending'
      RETURNING o.id, o.attempts
    ),
    mine AS (
      SELECT c.id, c.attempts FROM charged AS c WHERE c.id = ANY(${ids}::bigint[])
    ),
    opened AS (
      INSERT INTO ${table.inflightRef} (lock_key, row_ids)
      SELECT ${lockKey}::bigint, ${ids}::bigint[]
      WHERE ${open}::boolean AND NOT EXISTS (SELECT 1 FROM mine)
      RETURNING id
    )
    SELECT (SELECT id::text FROM opened) AS record_id,
      coalesce((SELECT json_agg(json_build_object('id', m.id::text, 'attempts', m.attempts)) FROM mine AS m),
        '[]'::json) AS charged,
      (SELECT setting FROM durability) AS durability`;
}
