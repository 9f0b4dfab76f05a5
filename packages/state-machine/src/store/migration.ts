import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { resolveTables, type StateStoreTables } from './tables.js';

/** Options of {@link stateMachineMigration}. */
export interface StateMachineMigrationOptions extends StateStoreTables {
  /**
   * `false` (default): add the state columns to your existing `aggregateTable` (e.g. `orders`), so the
   * order and its state are one row. `true`: create `aggregateTable` with only a text primary key and the
   * state columns (for aggregates that have no table of their own yet).
   */
  readonly createAggregateTable?: boolean;
}

/**
 * A Kysely `Migration` (use it in your `Migrator`'s provider, or call `up` yourself) that adds the state
 * columns to the aggregate table and creates the audit table with its two unique keys:
 * `(machine_id, aggregate_id, version)` (one audit row per version) and
 * `(machine_id, aggregate_id, event_id)` (idempotency that holds under concurrency).
 *
 * `down` removes the state columns (or the created table) and drops the audit table with its history.
 */
export function stateMachineMigration(options: StateMachineMigrationOptions): Migration {
  const tables = resolveTables(options);
  const create = options.createAggregateTable === true;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`CREATE SCHEMA IF NOT EXISTS ${tables.schema}`.execute(db);
      if (create) {
        await sql`CREATE TABLE ${tables.aggregate} (
          ${tables.idColumn} text PRIMARY KEY,
          state text,
          version integer,
          machine_version integer,
          state_created_at timestamptz,
          state_updated_at timestamptz
        )`.execute(db);
      } else {
        // Plain ADD COLUMN (no IF NOT EXISTS): a column of yours with the same name fails the migration
        // loudly instead of being silently shared.
        await sql`ALTER TABLE ${tables.aggregate}
          ADD COLUMN state text,
          ADD COLUMN version integer,
          ADD COLUMN machine_version integer,
          ADD COLUMN state_created_at timestamptz,
          ADD COLUMN state_updated_at timestamptz`.execute(db);
      }
      await sql`CREATE TABLE IF NOT EXISTS ${tables.audit} (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        machine_id text NOT NULL,
        aggregate_id text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        kind text NOT NULL CHECK (kind IN ('created', 'transition', 'forced')),
        event text,
        from_state text,
        to_state text NOT NULL,
        event_id text NOT NULL,
        actor text NOT NULL,
        reason text,
        payload jsonb,
        machine_version integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (machine_id, aggregate_id, version),
        UNIQUE (machine_id, aggregate_id, event_id)
      )`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`DROP TABLE IF EXISTS ${tables.audit}`.execute(db);
      if (create) {
        await sql`DROP TABLE IF EXISTS ${tables.aggregate}`.execute(db);
      } else {
        await sql`ALTER TABLE ${tables.aggregate}
          DROP COLUMN IF EXISTS state,
          DROP COLUMN IF EXISTS version,
          DROP COLUMN IF EXISTS machine_version,
          DROP COLUMN IF EXISTS state_created_at,
          DROP COLUMN IF EXISTS state_updated_at`.execute(db);
      }
    },
  };
}
