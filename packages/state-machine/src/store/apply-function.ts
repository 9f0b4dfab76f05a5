import { createHash } from 'node:crypto';
import { ddlMigration, ddlSql } from '@checkout/core/kysely';
import { type RawBuilder, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { StateMachineInputError } from '../errors.js';
import type { ResolvedTables } from './tables.js';

/** The values of `apply`'s one statement, each as SQL: a parameter, or a function argument's name. */
export interface ApplyStatementValues {
  readonly key: RawBuilder<unknown>;
  /** text[]: every state the event may leave... */
  readonly froms: RawBuilder<unknown>;
  /** text[]: ...the state it leads to from there... */
  readonly tos: RawBuilder<unknown>;
  /** timestamptz[]: ...and when that state's deadline is due (null: none). */
  readonly dues: RawBuilder<unknown>;
  readonly machineId: RawBuilder<unknown>;
  readonly machineVersion: RawBuilder<unknown>;
  readonly event: RawBuilder<unknown>;
  readonly eventId: RawBuilder<unknown>;
  /** bigint or null. */
  readonly expectedVersion: RawBuilder<unknown>;
  readonly actor: RawBuilder<unknown>;
  readonly reason: RawBuilder<unknown>;
  /** The payload's JSON text, or null. */
  readonly payload: RawBuilder<unknown>;
}

/**
 * `apply` in one statement: bumps the version and inserts the audit row, only when the row's state is one
 * of `froms`, the event id is new, the statement's snapshot is complete (the newest audit version is the
 * row's) and `expectedVersion` is met; returns the row and the audit row's `at` and `payload`, or nothing.
 * No separate lock: the UPDATE locks the row. When a concurrent writer changed it first, Postgres re-checks
 * the WHERE on the new row version, with the sub-selects still reading the statement's snapshot: the
 * newest audit version there is then older than the row's, so nothing is written. The same text runs as a
 * statement (values as parameters) and inside the function of {@link applyFunctionMigration} (values as
 * its arguments), so the two cannot drift apart.
 */
export function applyStatement(tables: ResolvedTables, withDeadline: boolean, v: ApplyStatementValues) {
  return sql`WITH updated AS (
        UPDATE ${tables.aggregate} u
        SET state = m.next, version = u.version + 1, machine_version = ${v.machineVersion}, state_updated_at = now()
          ${withDeadline ? sql`, deadline_at = m.due` : sql``}
        FROM unnest(${v.froms}::text[], ${v.tos}::text[], ${v.dues}::timestamptz[]) AS m(from_state, next, due)
        WHERE u.${tables.idColumn} = ${v.key} AND u.state = m.from_state
          AND u.version = (SELECT max(x.version) FROM ${tables.audit} x
            WHERE x.machine_id = ${v.machineId} AND x.aggregate_id = u.${tables.idColumn}::text)
          AND NOT EXISTS (SELECT 1 FROM ${tables.audit} x WHERE x.machine_id = ${v.machineId}
            AND x.aggregate_id = u.${tables.idColumn}::text AND x.event_id = ${v.eventId})
          AND (${v.expectedVersion}::bigint IS NULL OR u.version = ${v.expectedVersion}::bigint)
        RETURNING u.${tables.idColumn}::text AS id, m.from_state AS "from", u.state, u.version,
          u.machine_version AS "machineVersion", u.state_created_at AS "createdAt", u.state_updated_at AS "updatedAt"
      ), inserted AS (
        INSERT INTO ${tables.audit}
          (machine_id, aggregate_id, version, kind, event, from_state, to_state, event_id, actor, reason, payload,
           machine_version)
        SELECT ${v.machineId}, updated.id, updated.version, 'transition', ${v.event}, updated."from", updated.state,
          ${v.eventId}, ${v.actor}, ${v.reason}, ${v.payload}::jsonb, ${v.machineVersion}
        FROM updated
        RETURNING at, payload
      )
      SELECT updated.*, inserted.at, inserted.payload FROM updated, inserted`;
}

// The function's arguments, in order: name and type (the key has the id column's own type).
const ARGUMENTS = [
  ['key', undefined],
  ['froms', 'text[]'],
  ['tos', 'text[]'],
  ['dues', 'timestamptz[]'],
  ['machine_id', 'text'],
  ['machine_version', 'integer'],
  ['event', 'text'],
  ['event_id', 'text'],
  ['expected_version', 'bigint'],
  ['actor', 'text'],
  ['reason', 'text'],
  ['payload', 'text'],
] as const;

/**
 * The name of the function for these tables: `checkout_apply_` and a hash of the schema, tables, id
 * column and whether it sets deadlines (a function of the same name is always the same function).
 */
export function applyFunctionName(tables: ResolvedTables, withDeadline: boolean): string {
  const { schema, aggregateTable, idColumn, auditTable } = tables.names;
  const hash = createHash('sha256')
    .update(JSON.stringify([schema, aggregateTable, idColumn, auditTable, withDeadline]))
    .digest('hex');
  return `checkout_apply_${hash.slice(0, 16)}`;
}

function functionRef(tables: ResolvedTables, withDeadline: boolean): RawBuilder<unknown> {
  return sql.id(tables.names.schema, applyFunctionName(tables, withDeadline));
}

/** The argument types as `DROP FUNCTION` needs them. */
function signature(tables: ResolvedTables): RawBuilder<unknown> {
  const { schema, aggregateTable, idColumn } = tables.names;
  return sql.join(
    ARGUMENTS.map(([, type]) =>
      type === undefined ? sql`${sql.id(schema, aggregateTable, idColumn)}%TYPE` : sql.raw(type),
    ),
  );
}

function upStatements(tables: ResolvedTables, withDeadline: boolean): RawBuilder<unknown>[] {
  const { schema, aggregateTable, idColumn } = tables.names;
  const argument = (name: string) => sql.raw(`p_${name}`);
  const body = applyStatement(tables, withDeadline, {
    key: argument('key'),
    froms: argument('froms'),
    tos: argument('tos'),
    dues: argument('dues'),
    machineId: argument('machine_id'),
    machineVersion: argument('machine_version'),
    event: argument('event'),
    eventId: argument('event_id'),
    expectedVersion: argument('expected_version'),
    actor: argument('actor'),
    reason: argument('reason'),
    payload: argument('payload'),
  });
  const declared = sql.join(
    ARGUMENTS.map(([name, type]) =>
      type === undefined
        ? sql`${argument(name)} ${sql.id(schema, aggregateTable, idColumn)}%TYPE`
        : sql`${argument(name)} ${sql.raw(type)}`,
    ),
  );
  // PL/pgSQL keeps the statement's plan for the session: parsed and planned once per connection, not on
  // every call. Plain CREATE FUNCTION: one of that name already there fails the migration loudly.
  return [
    sql`CREATE FUNCTION ${functionRef(tables, withDeadline)}(${declared})
RETURNS TABLE (id text, "from" text, state text, version integer, "machineVersion" integer,
  "createdAt" timestamptz, "updatedAt" timestamptz, at timestamptz, payload jsonb)
LANGUAGE plpgsql AS $checkout_apply$
#variable_conflict use_column
BEGIN
  RETURN QUERY ${body};
END
$checkout_apply$`,
  ];
}

function downStatements(tables: ResolvedTables, withDeadline: boolean): RawBuilder<unknown>[] {
  return [sql`DROP FUNCTION IF EXISTS ${functionRef(tables, withDeadline)}(${signature(tables)})`];
}

/** The apply-function migration (internal: users call `store.applyFunctionMigration()`). */
export function applyFunctionMigration(tables: ResolvedTables, withDeadline: boolean): Migration {
  return ddlMigration({
    up: () => upStatements(tables, withDeadline),
    down: () => downStatements(tables, withDeadline),
  });
}

/** The same statements as {@link applyFunctionMigration}, as SQL text. */
export function applyFunctionMigrationSql(
  tables: ResolvedTables,
  withDeadline: boolean,
  direction: 'up' | 'down',
): string {
  if (direction !== 'up' && direction !== 'down') {
    throw new StateMachineInputError('direction', `must be 'up' or 'down', got ${JSON.stringify(direction)}`);
  }
  return ddlSql(direction === 'up' ? upStatements(tables, withDeadline) : downStatements(tables, withDeadline));
}

/** A call of the function: the same row as {@link applyStatement}, from a plan the session keeps. */
export function applyFunctionCall(tables: ResolvedTables, withDeadline: boolean, v: ApplyStatementValues) {
  return sql`SELECT * FROM ${functionRef(tables, withDeadline)}(${v.key}, ${v.froms}::text[], ${v.tos}::text[],
    ${v.dues}::timestamptz[], ${v.machineId}::text, ${v.machineVersion}::integer, ${v.event}::text,
    ${v.eventId}::text, ${v.expectedVersion}::bigint, ${v.actor}::text, ${v.reason}::text, ${v.payload}::text)`;
}
