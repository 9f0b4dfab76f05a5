import { createHash } from 'node:crypto';
import { ddlMigration, ddlSql } from '@checkout/core/kysely';
import { type RawBuilder, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { StateMachineInputError } from '../errors.js';
import type { ResolvedTables } from './tables.js';
import type { JsonValue } from './types.js';

/**
 * The values of the step statement, each as SQL: a parameter, or a function argument's name. A step is
 * 1-16 events applied to one row: `apply` is a step of one event, `advance` one of its events.
 */
export interface StepStatementValues {
  readonly key: RawBuilder<unknown>;
  /** text[]: every state the step's first event may leave with a chain that fits... */
  readonly froms: RawBuilder<unknown>;
  /** text[]: ...the state the chain ends in from there... */
  readonly finals: RawBuilder<unknown>;
  /** timestamptz[]: ...and when that state's deadline is due (null: none). */
  readonly dues: RawBuilder<unknown>;
  readonly machineId: RawBuilder<unknown>;
  readonly machineVersion: RawBuilder<unknown>;
  /** integer: the number of events of the step (the version goes up by it). */
  readonly count: RawBuilder<unknown>;
  /** text[]: the event ids of the step, none of which may be recorded yet. */
  readonly eventIds: RawBuilder<unknown>;
  /** bigint or null. */
  readonly expectedVersion: RawBuilder<unknown>;
  /** text[]: per audit row to write, the chain's start state (the `froms` entry it belongs to)... */
  readonly stepStarts: RawBuilder<unknown>;
  /** integer[]: ...its position in the step (1 for the first event)... */
  readonly stepPositions: RawBuilder<unknown>;
  /** text[]: ...its event, from state, to state and event id. */
  readonly stepEvents: RawBuilder<unknown>;
  readonly stepFroms: RawBuilder<unknown>;
  readonly stepTos: RawBuilder<unknown>;
  readonly stepEventIds: RawBuilder<unknown>;
  readonly actor: RawBuilder<unknown>;
  readonly reason: RawBuilder<unknown>;
  /** The payload's JSON text, or null. */
  readonly payload: RawBuilder<unknown>;
}

/** A row of the step statement: the aggregate row after the step, with one audit row written by it. */
export interface StepRow {
  readonly id: string;
  /** The state the step left. */
  readonly from: string;
  readonly state: string | null;
  readonly version: number | null;
  readonly machineVersion: number | null;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
  readonly auditVersion: number;
  readonly auditEvent: string;
  readonly auditFrom: string;
  readonly auditTo: string;
  readonly auditEventId: string;
  readonly at: Date;
  readonly payload: JsonValue | null;
}

/**
 * A step in one statement: moves the row from one of `froms` to that chain's final state (version +
 * `count`) and inserts one audit row per event with contiguous versions, only when the row's state is
 * one of `froms`, none of `eventIds` is recorded, the statement's snapshot is complete (the newest audit
 * version there is the row's) and `expectedVersion` is met; returns one row per audit row written (in
 * version order), or none. No separate lock: the UPDATE locks the row. When a concurrent writer changed
 * it first, Postgres re-checks the WHERE on the new row version, with the sub-selects still reading the
 * statement's snapshot: the newest audit version there is then older than the row's, so nothing is
 * written. The same text runs as a statement (values as parameters) and inside the function of
 * {@link stepFunctionMigration} (values as its arguments), so the two cannot drift apart.
 */
export function stepStatement(tables: ResolvedTables, withDeadline: boolean, v: StepStatementValues) {
  return sql`WITH updated AS (
        UPDATE ${tables.aggregate} u
        SET state = m.final, version = u.version + ${v.count}::integer, machine_version = ${v.machineVersion},
          state_updated_at = now() ${withDeadline ? sql`, deadline_at = m.due` : sql``}
        FROM unnest(${v.froms}::text[], ${v.finals}::text[], ${v.dues}::timestamptz[]) AS m(from_state, final, due)
        WHERE u.${tables.idColumn} = ${v.key} AND u.state = m.from_state
          AND u.version = (SELECT max(x.version) FROM ${tables.audit} x
            WHERE x.machine_id = ${v.machineId} AND x.aggregate_id = u.${tables.idColumn}::text)
          AND NOT EXISTS (SELECT 1 FROM ${tables.audit} x WHERE x.machine_id = ${v.machineId}
            AND x.aggregate_id = u.${tables.idColumn}::text AND x.event_id = ANY(${v.eventIds}::text[]))
          AND (${v.expectedVersion}::bigint IS NULL OR u.version = ${v.expectedVersion}::bigint)
        RETURNING u.${tables.idColumn}::text AS id, m.from_state AS "from", u.state, u.version,
          u.machine_version AS "machineVersion", u.state_created_at AS "createdAt", u.state_updated_at AS "updatedAt"
      ), inserted AS (
        INSERT INTO ${tables.audit}
          (machine_id, aggregate_id, version, kind, event, from_state, to_state, event_id, actor, reason, payload,
           machine_version)
        SELECT ${v.machineId}, updated.id, updated.version - ${v.count}::integer + s.k, 'transition', s.event,
          s.from_state, s.to_state, s.event_id, ${v.actor}, ${v.reason}, ${v.payload}::jsonb, ${v.machineVersion}
        FROM updated JOIN unnest(${v.stepStarts}::text[], ${v.stepPositions}::integer[], ${v.stepEvents}::text[],
          ${v.stepFroms}::text[], ${v.stepTos}::text[], ${v.stepEventIds}::text[])
          AS s(start_state, k, event, from_state, to_state, event_id) ON s.start_state = updated."from"
        RETURNING version, event, from_state, to_state, event_id, at, payload
      )
      SELECT updated.*, inserted.version AS "auditVersion", inserted.event AS "auditEvent",
        inserted.from_state AS "auditFrom", inserted.to_state AS "auditTo", inserted.event_id AS "auditEventId",
        inserted.at, inserted.payload
      FROM updated, inserted ORDER BY inserted.version`;
}

// The function's arguments, in order: the value each carries, its name (`p_` + it) and its type (the key
// has the id column's own type).
const ARGUMENTS = [
  ['key', 'key', undefined],
  ['froms', 'froms', 'text[]'],
  ['finals', 'finals', 'text[]'],
  ['dues', 'dues', 'timestamptz[]'],
  ['machineId', 'machine_id', 'text'],
  ['machineVersion', 'machine_version', 'integer'],
  ['count', 'count', 'integer'],
  ['eventIds', 'event_ids', 'text[]'],
  ['expectedVersion', 'expected_version', 'bigint'],
  ['stepStarts', 'step_starts', 'text[]'],
  ['stepPositions', 'step_positions', 'integer[]'],
  ['stepEvents', 'step_events', 'text[]'],
  ['stepFroms', 'step_froms', 'text[]'],
  ['stepTos', 'step_tos', 'text[]'],
  ['stepEventIds', 'step_event_ids', 'text[]'],
  ['actor', 'actor', 'text'],
  ['reason', 'reason', 'text'],
  ['payload', 'payload', 'text'],
] as const satisfies readonly (readonly [keyof StepStatementValues, string, string | undefined])[];

// Every value of the statement is an argument (a compile error otherwise).
const everyValueIsAnArgument: Exclude<keyof StepStatementValues, (typeof ARGUMENTS)[number][0]> extends never
  ? true
  : never = true;
void everyValueIsAnArgument;

/**
 * The name of the function for these tables: `checkout_step_` and a hash of the schema, tables, id column
 * and whether it sets deadlines (a function of the same name is always the same function).
 */
export function stepFunctionName(tables: ResolvedTables, withDeadline: boolean): string {
  const { schema, aggregateTable, idColumn, auditTable } = tables.names;
  const hash = createHash('sha256')
    .update(JSON.stringify([schema, aggregateTable, idColumn, auditTable, withDeadline]))
    .digest('hex');
  return `checkout_step_${hash.slice(0, 16)}`;
}

function functionRef(tables: ResolvedTables, withDeadline: boolean): RawBuilder<unknown> {
  return sql.id(tables.names.schema, stepFunctionName(tables, withDeadline));
}

function typeOf(tables: ResolvedTables, type: string | undefined): RawBuilder<unknown> {
  const { schema, aggregateTable, idColumn } = tables.names;
  return type === undefined ? sql`${sql.id(schema, aggregateTable, idColumn)}%TYPE` : sql.raw(type);
}

function upStatements(tables: ResolvedTables, withDeadline: boolean): RawBuilder<unknown>[] {
  const argument = (name: string) => sql.raw(`p_${name}`);
  const values = Object.fromEntries(ARGUMENTS.map(([value, name]) => [value, argument(name)])) as Record<
    keyof StepStatementValues,
    RawBuilder<unknown>
  >;
  const declared = sql.join(ARGUMENTS.map(([, name, type]) => sql`${argument(name)} ${typeOf(tables, type)}`));
  // PL/pgSQL keeps the statement's plan for the session: parsed and planned once per connection, not on
  // every call. Plain CREATE FUNCTION: one of that name already there fails the migration loudly.
  return [
    sql`CREATE FUNCTION ${functionRef(tables, withDeadline)}(${declared})
RETURNS TABLE (id text, "from" text, state text, version integer, "machineVersion" integer,
  "createdAt" timestamptz, "updatedAt" timestamptz, "auditVersion" integer, "auditEvent" text,
  "auditFrom" text, "auditTo" text, "auditEventId" text, at timestamptz, payload jsonb)
LANGUAGE plpgsql AS $checkout_step$
#variable_conflict use_column
BEGIN
  RETURN QUERY ${stepStatement(tables, withDeadline, values)};
END
$checkout_step$`,
  ];
}

function downStatements(tables: ResolvedTables, withDeadline: boolean): RawBuilder<unknown>[] {
  const signature = sql.join(ARGUMENTS.map(([, , type]) => typeOf(tables, type)));
  return [sql`DROP FUNCTION IF EXISTS ${functionRef(tables, withDeadline)}(${signature})`];
}

/** The step-function migration (internal: users call `store.functionMigration()`). */
export function stepFunctionMigration(tables: ResolvedTables, withDeadline: boolean): Migration {
  return ddlMigration({
    up: () => upStatements(tables, withDeadline),
    down: () => downStatements(tables, withDeadline),
  });
}

/** The same statements as {@link stepFunctionMigration}, as SQL text. */
export function stepFunctionMigrationSql(
  tables: ResolvedTables,
  withDeadline: boolean,
  direction: 'up' | 'down',
): string {
  if (direction !== 'up' && direction !== 'down') {
    throw new StateMachineInputError('direction', `must be 'up' or 'down', got ${JSON.stringify(direction)}`);
  }
  return ddlSql(direction === 'up' ? upStatements(tables, withDeadline) : downStatements(tables, withDeadline));
}

/** A call of the function: the same rows as {@link stepStatement}, from a plan the session keeps. */
export function stepFunctionCall(tables: ResolvedTables, withDeadline: boolean, v: StepStatementValues) {
  const args = sql.join(
    ARGUMENTS.map(([value, , type]) => (type === undefined ? v[value] : sql`${v[value]}::${sql.raw(type)}`)),
  );
  return sql`SELECT * FROM ${functionRef(tables, withDeadline)}(${args}) ORDER BY "auditVersion"`;
}
