import { createSchemaSql } from '@checkout/core';
import { ddlMigration, ddlSql } from '@checkout/core/kysely';
import { type RawBuilder, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { StateMachineConfigError, StateMachineInputError } from '../errors.js';
import type { ResolvedTables } from './tables.js';

/** Options of `store.migration()` and `store.migrationSql()`. */
export interface StateStoreMigrationOptions {
  /**
   * `false` (default): add the state columns to your existing `aggregateTable` (e.g. `orders`), so the
   * order and its state are one row. `true`: create `aggregateTable` with only a text primary key and the
   * state columns (for aggregates that have no table of their own yet).
   */
  readonly createAggregateTable?: boolean;
  /**
   * `true` (default): create the audit table. `false`: it exists already, created by the migration of
   * another store that shares it (rows carry `machine_id`); `down` then leaves it alone.
   */
  readonly createAuditTable?: boolean;
}

interface Plan {
  readonly createAggregate: boolean;
  readonly createAudit: boolean;
}

/** Checks the options (`StateMachineConfigError` naming a non-boolean flag) and fills in the defaults. */
function plan(options: StateStoreMigrationOptions | undefined): Plan {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new StateMachineConfigError(
      'options',
      `must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  for (const flag of ['createAggregateTable', 'createAuditTable'] as const) {
    const value: unknown = options?.[flag];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new StateMachineConfigError(flag, `must be a boolean, got ${typeof value}`);
    }
  }
  return {
    createAggregate: options?.createAggregateTable === true,
    createAudit: options?.createAuditTable !== false,
  };
}

function upStatements(tables: ResolvedTables, plan: Plan): RawBuilder<unknown>[] {
  const statements = [
    sql.raw(createSchemaSql(tables.names.schema)),
    plan.createAggregate
      ? sql`CREATE TABLE ${tables.aggregate} (
  ${tables.idColumn} text PRIMARY KEY,
  state text,
  version integer,
  machine_version integer,
  state_created_at timestamptz,
  state_updated_at timestamptz
)`
      : // Plain ADD COLUMN (no IF NOT EXISTS): a column of yours with the same name fails the migration
        // loudly instead of being silently shared.
        sql`ALTER TABLE ${tables.aggregate}
  ADD COLUMN state text,
  ADD COLUMN version integer,
  ADD COLUMN machine_version integer,
  ADD COLUMN state_created_at timestamptz,
  ADD COLUMN state_updated_at timestamptz`,
  ];
  if (!plan.createAudit) return statements;
  // Plain CREATE TABLE: an audit table of that name already there (another store's, or yours) fails
  // the migration instead of being silently adopted. Several machines share one audit table by
  // giving the other stores' migrations `createAuditTable: false`.
  statements.push(sql`CREATE TABLE ${tables.audit} (
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
)`);
  return statements;
}

function downStatements(tables: ResolvedTables, plan: Plan): RawBuilder<unknown>[] {
  return [
    ...(plan.createAudit ? [sql`DROP TABLE IF EXISTS ${tables.audit}`] : []),
    plan.createAggregate
      ? sql`DROP TABLE IF EXISTS ${tables.aggregate}`
      : sql`ALTER TABLE ${tables.aggregate}
  DROP COLUMN IF EXISTS state,
  DROP COLUMN IF EXISTS version,
  DROP COLUMN IF EXISTS machine_version,
  DROP COLUMN IF EXISTS state_created_at,
  DROP COLUMN IF EXISTS state_updated_at`,
  ];
}

/** The store's Kysely `Migration` (internal: users call `store.migration()`). */
export function stateStoreMigration(tables: ResolvedTables, options?: StateStoreMigrationOptions): Migration {
  const steps = plan(options);
  return ddlMigration({ up: () => upStatements(tables, steps), down: () => downStatements(tables, steps) });
}

/** The same statements as {@link stateStoreMigration}, as SQL text (internal: `store.migrationSql()`). */
export function stateStoreMigrationSql(
  tables: ResolvedTables,
  direction: 'up' | 'down',
  options?: StateStoreMigrationOptions,
): string {
  if (direction !== 'up' && direction !== 'down') {
    throw new StateMachineInputError('direction', `must be 'up' or 'down', got ${JSON.stringify(direction)}`);
  }
  const steps = plan(options);
  return ddlSql(direction === 'up' ? upStatements(tables, steps) : downStatements(tables, steps));
}

/** Name of the due-time column the deadline migration adds to the aggregate table. */
export const DEADLINE_COLUMN = 'deadline_at';

/** A state's deadline, as the migration needs it to backfill rows already in that state. */
export interface MigrationDeadline {
  readonly state: string;
  readonly afterSeconds: number;
}

function deadlineUpStatements(tables: ResolvedTables, deadlines: readonly MigrationDeadline[]): RawBuilder<unknown>[] {
  return [
    // Plain ADD COLUMN: a column of yours named deadline_at fails the migration loudly.
    sql`ALTER TABLE ${tables.aggregate} ADD COLUMN deadline_at timestamptz`,
    // Only rows with a pending deadline are indexed: the sweeper's claim and the stats stay as cheap
    // with a million settled rows as with none.
    sql`CREATE INDEX ${sql.id(deadlineIndexName(tables))} ON ${tables.aggregate} (deadline_at) WHERE deadline_at IS NOT NULL`,
    // Rows already in a state with a deadline get one, counted from when they entered it. State names
    // are checked by defineMachine (letters, digits, _) and afterSeconds is a whole number: safe literals.
    ...deadlines.map(
      ({ state, afterSeconds }) =>
        sql`UPDATE ${tables.aggregate} SET deadline_at = coalesce(state_updated_at, now()) + make_interval(secs => ${sql.lit(afterSeconds)})
  WHERE state = ${sql.lit(state)}`,
    ),
  ];
}

function deadlineDownStatements(tables: ResolvedTables): RawBuilder<unknown>[] {
  return [
    sql`DROP INDEX IF EXISTS ${sql.id(tables.names.schema, deadlineIndexName(tables))}`,
    sql`ALTER TABLE ${tables.aggregate} DROP COLUMN IF EXISTS deadline_at`,
  ];
}

/** `<aggregateTable>_deadline_idx` (at most 53 characters: table names are at most 40). */
export function deadlineIndexName(tables: ResolvedTables): string {
  return `${tables.names.aggregateTable}_deadline_idx`;
}

/** The deadline migration (internal: users call `store.deadlineMigration()`). */
export function deadlineMigration(tables: ResolvedTables, deadlines: readonly MigrationDeadline[]): Migration {
  return ddlMigration({
    up: () => deadlineUpStatements(tables, deadlines),
    down: () => deadlineDownStatements(tables),
  });
}

/** The same statements as {@link deadlineMigration}, as SQL text (internal: `store.deadlineMigrationSql()`). */
export function deadlineMigrationSql(
  tables: ResolvedTables,
  deadlines: readonly MigrationDeadline[],
  direction: 'up' | 'down',
): string {
  if (direction !== 'up' && direction !== 'down') {
    throw new StateMachineInputError('direction', `must be 'up' or 'down', got ${JSON.stringify(direction)}`);
  }
  return ddlSql(direction === 'up' ? deadlineUpStatements(tables, deadlines) : deadlineDownStatements(tables));
}
