import { createSchemaSql } from '@checkout/core';
import { ddlMigration, ddlSql } from '@checkout/core/kysely';
import { type RawBuilder, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { OutboxConfigError } from '../errors.js';
import { claimFunctionDdl } from './claim-function.js';
import type { OutboxTable } from './outbox-table.js';

/** Options of `outbox.migration()` and `outbox.migrationSql()`. */
export interface OutboxMigrationOptions {
  /**
   * Omit (default) to create the table at the latest version. `1`: upgrade a table created by
   * `@checkout/outbox` 0.1 (before tracing): `up` adds the nullable columns `trace_parent` and
   * `trace_state` and replaces the claim function (existing rows keep working, with no context);
   * `down` restores version 1. List it as a new migration after the one that created the table.
   */
  readonly from?: 1;
}

/** Checks the options (`OutboxConfigError` naming the option). Internal. */
export function migrationFrom(options: OutboxMigrationOptions | undefined): 1 | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null)
    throw new OutboxConfigError('options', 'must be an object { from? }');
  if (options.from !== undefined && options.from !== 1) {
    throw new OutboxConfigError(
      'from',
      `must be 1 (the only earlier table version) or omitted, got ${String(options.from)}`,
    );
  }
  return options.from;
}

/** Version 1 -> 2: the trace context columns, and the claim function that returns them. */
function upgradeUpStatements(t: OutboxTable): RawBuilder<unknown>[] {
  return [
    // Plain ADD COLUMN: a column of that name already there fails the migration loudly.
    sql`ALTER TABLE ${t.ref} ADD COLUMN trace_parent text, ADD COLUMN trace_state text`,
    sql`DROP FUNCTION ${t.claimFunction}(integer, integer, bigint, text)`,
    claimFunctionDdl(t, 2),
  ];
}

function upgradeDownStatements(t: OutboxTable): RawBuilder<unknown>[] {
  return [
    sql`DROP FUNCTION IF EXISTS ${t.claimFunction}(integer, integer, bigint, text)`,
    claimFunctionDdl(t, 1),
    sql`ALTER TABLE ${t.ref} DROP COLUMN IF EXISTS trace_parent, DROP COLUMN IF EXISTS trace_state`,
  ];
}

function upStatements(t: OutboxTable): RawBuilder<unknown>[] {
  return [
    sql.raw(createSchemaSql(t.schema)),
    // attempts are counted (and in_flight_since set) in a committed statement BEFORE each publish, so
    // a row that crashes the relay still uses up its attempts; any recorded outcome clears in_flight_since.
    // body is json, not jsonb: json keeps the text byte for byte, so what enqueue measured is what
    // the relay sends (jsonb adds spaces and rewrites numbers: 1e300 becomes 301 digits).
    // txid: the writer's transaction id; relays only claim rows whose transaction is older than
    // every transaction still running (the visibility fence), so late commits are never skipped.
    sql`CREATE TABLE ${t.ref} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  destination text NOT NULL,
  group_key text,
  body json NOT NULL,
  attributes jsonb,
  delay_seconds integer,
  status text NOT NULL DEFAULT 'pending' CONSTRAINT ${t.indexName('status_check')} CHECK (status IN ('pending', 'sent', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  last_error text,
  in_flight_since timestamptz,
  trace_parent text,
  trace_state text
)`,
    // The claim window: pending rows, oldest transaction first. Sent and dead rows are not in this
    // index, so claim cost does not grow with retained history.
    sql`CREATE INDEX ${t.indexName('pending_idx')} ON ${t.ref} (txid, id) WHERE status = 'pending'`,
    // The rows of the groups a relay locked, in id order. Keyed on \`id + 0\` so that only this
    // index can serve the claim's ORDER BY (a plan over the primary key would step over sent rows).
    sql`CREATE INDEX ${t.indexName('pending_group_idx')} ON ${t.ref} (group_key, (id + 0)) WHERE status = 'pending'`,
    // Groups whose head is dead or backing off: excluded from claims (small: failures only).
    sql`CREATE INDEX ${t.indexName('blocked_idx')} ON ${t.ref} (group_key) WHERE status = 'dead' OR (status = 'pending' AND attempts > 0)`,
    // Retention cleanup deletes the oldest sent rows in bounded batches.
    sql`CREATE INDEX ${t.indexName('sent_idx')} ON ${t.ref} (sent_at) WHERE status = 'sent'`,
    // One row per relay round in flight: the row ids it may publish, written (committed) before its
    // first publish call and deleted with its mark. Its round holds an advisory lock on lock_key: a
    // row whose lock is free belongs to a round that ended without its mark (the relay died or was
    // cut off): its rows are charged an attempt.
    sql`CREATE TABLE ${t.inflightRef} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  lock_key bigint NOT NULL,
  row_ids bigint[] NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
)`,
    claimFunctionDdl(t),
  ];
}

function downStatements(t: OutboxTable): RawBuilder<unknown>[] {
  return [
    sql`DROP FUNCTION IF EXISTS ${t.claimFunction}(integer, integer, bigint, text)`,
    sql`DROP TABLE IF EXISTS ${t.inflightRef}`,
    sql`DROP TABLE IF EXISTS ${t.ref}`,
  ];
}

/**
 * A Kysely migration that creates (and on `down`, drops) the outbox table, its indexes, its
 * in-flight table and its claim function. Internal: `createOutbox(...).migration()`.
 */
export function outboxMigration(table: OutboxTable, options?: OutboxMigrationOptions): Migration {
  if (migrationFrom(options) === 1) {
    return ddlMigration({ up: () => upgradeUpStatements(table), down: () => upgradeDownStatements(table) });
  }
  return ddlMigration({ up: () => upStatements(table), down: () => downStatements(table) });
}

/** The same DDL as {@link outboxMigration} as plain SQL. Internal: `createOutbox(...).migrationSql()`. */
export function outboxMigrationSql(
  table: OutboxTable,
  direction: 'up' | 'down',
  options?: OutboxMigrationOptions,
): string {
  if (migrationFrom(options) === 1) {
    return ddlSql(direction === 'up' ? upgradeUpStatements(table) : upgradeDownStatements(table));
  }
  return ddlSql(direction === 'up' ? upStatements(table) : downStatements(table));
}
