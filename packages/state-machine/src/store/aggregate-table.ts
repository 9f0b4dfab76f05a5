import { type QueryExecutorProvider, sql } from 'kysely';
import { StateMachineConfigError } from '../errors.js';

/**
 * What the aggregate table's id column can hold, read once from the catalog so that an id the column
 * cannot hold is answered in JavaScript instead of by a failing statement (which would abort the caller's
 * transaction): `text` (text, varchar, char, name, citext), `integer` (smallint, integer, bigint) or `uuid`.
 */
export type IdColumnKind =
  | {
      readonly kind: 'text';
      /** varchar(n) / char(n): at most n characters. */
      readonly maxLength?: number;
      /** `name`: Postgres silently cuts a longer value to 63 bytes, so two ids would become one. */
      readonly maxBytes?: number;
      /** char(n): trailing spaces are padding (`'abc '` is `'abc'`), and the column reads back without them. */
      readonly padded?: boolean;
    }
  | { readonly kind: 'integer'; readonly min: bigint; readonly max: bigint }
  | { readonly kind: 'uuid' };

/** What the store needs to know about the aggregate table before it sends a statement. */
export interface AggregateTableFacts {
  /** What the id column can hold. */
  readonly id: IdColumnKind;
  /**
   * Columns (other than the id and the state columns) that are NOT NULL without a default: with any, a row
   * holding only an id and the state columns cannot be inserted, so `create` needs your row first.
   */
  readonly requiredColumns: readonly string[];
  /** The deadline migration ran: the table has the `deadline_at` column. */
  readonly hasDeadlineColumn: boolean;
  /** The function migration ran: the function it creates exists (see `functionMigration`). */
  readonly hasStepFunction: boolean;
}

/** Where the id column lives; names are already validated identifiers. */
export interface IdColumnLocation {
  readonly schema: string;
  readonly aggregateTable: string;
  readonly idColumn: string;
  readonly auditTable: string;
}

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'name', 'citext']);
const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int2: [-(2n ** 15n), 2n ** 15n - 1n],
  int4: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};
const STATE_COLUMNS = ['state', 'version', 'machine_version', 'state_created_at', 'state_updated_at'];

interface ColumnRow {
  readonly name: string;
  readonly type: string;
  readonly typmod: number;
  /** NOT NULL with no default, identity or generated value. */
  readonly required: boolean;
}

/**
 * Reads the id column's type (a domain counts as its base type) and the columns an INSERT must fill, and
 * checks that the migration ran. Catalog reads with no caller input: they cannot fail on bad ids. Throws
 * `StateMachineConfigError` for a missing table or column and for an id type the store cannot check.
 */
export async function readAggregateTable(
  executor: QueryExecutorProvider,
  at: IdColumnLocation,
  stepFunction: string,
): Promise<AggregateTableFacts> {
  const aggregate = `"${at.schema}"."${at.aggregateTable}"`;
  const audit = `"${at.schema}"."${at.auditTable}"`;
  const { rows } = await sql<{ auditExists: boolean; stepFunction: boolean; columns: ColumnRow[] }>`SELECT
      to_regclass(${audit}) IS NOT NULL AS "auditExists",
      EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ${at.schema} AND p.proname = ${stepFunction}) AS "stepFunction",
      (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', base.typname, 'typmod', a.atttypmod,
          'required', a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '')), '[]')
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        JOIN pg_catalog.pg_type base ON base.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
        WHERE a.attrelid = to_regclass(${aggregate}) AND a.attnum > 0 AND NOT a.attisdropped) AS columns`.execute(
    executor,
  );
  const row = rows[0];
  const columns = row?.columns ?? [];
  if (columns.length === 0) {
    throw new StateMachineConfigError(
      'aggregateTable',
      `table ${aggregate} does not exist; run the store's migration() first`,
    );
  }
  const missing = STATE_COLUMNS.filter((name) => !columns.some((column) => column.name === name));
  if (missing.length > 0) {
    throw new StateMachineConfigError(
      'aggregateTable',
      `${aggregate} has no ${missing.join(', ')} column(s); run the store's migration() first`,
    );
  }
  if (row?.auditExists !== true) {
    throw new StateMachineConfigError('auditTable', `table ${audit} does not exist; run the store's migration() first`);
  }
  const id = columns.find((column) => column.name === at.idColumn);
  if (id === undefined) throw new StateMachineConfigError('idColumn', `${aggregate} has no column ${at.idColumn}`);
  const requiredColumns = columns
    .filter(
      (column) =>
        column.required &&
        column.name !== at.idColumn &&
        !STATE_COLUMNS.includes(column.name) &&
        column.name !== 'deadline_at',
    )
    .map((column) => column.name);
  const hasDeadlineColumn = columns.some((column) => column.name === 'deadline_at');
  return {
    id: idColumnKind(at.idColumn, id),
    requiredColumns,
    hasDeadlineColumn,
    hasStepFunction: row?.stepFunction === true,
  };
}

function idColumnKind(name: string, id: ColumnRow): IdColumnKind {
  if (TEXT_TYPES.has(id.type)) {
    // varchar(n) / char(n): typmod is n + 4; -1 when unbounded.
    const bounded = (id.type === 'varchar' || id.type === 'bpchar') && id.typmod > 4;
    return {
      kind: 'text',
      ...(bounded ? { maxLength: id.typmod - 4 } : {}),
      ...(id.type === 'name' ? { maxBytes: NAME_MAX_BYTES } : {}),
      ...(id.type === 'bpchar' ? { padded: true } : {}),
    };
  }
  const range = INTEGER_RANGES[id.type];
  if (range !== undefined) return { kind: 'integer', min: range[0], max: range[1] };
  if (id.type === 'uuid') return { kind: 'uuid' };
  throw new StateMachineConfigError(
    'idColumn',
    `${name} has type ${id.type}; the store supports text, varchar, char, smallint, integer, bigint and uuid ids`,
  );
}

// NAMEDATALEN - 1: Postgres cuts a longer `name` to this many bytes without an error.
const NAME_MAX_BYTES = 63;
const INTEGER = /^[+-]?[0-9]+$/;
// The forms Postgres' uuid input accepts: 32 hex digits, a hyphen allowed after any group of four, optional braces.
const UUID = /^(?:\{[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}\}|[0-9a-f]{4}(?:-?[0-9a-f]{4}){7})$/i;

/**
 * The id in the text form the column reads back (`'042'` -> `'42'` for an integer key, upper-case uuid ->
 * lower-case), so lookups, audit rows and `history` agree on one spelling; `undefined` when the column
 * cannot hold it (so no row can have it).
 */
export function canonicalId(kind: IdColumnKind, id: string): string | undefined {
  switch (kind.kind) {
    case 'text': {
      // char(n) compares and reads back without trailing spaces: use that spelling.
      const spelled = kind.padded === true ? id.replace(/ +$/, '') : id;
      if (kind.maxLength !== undefined && [...spelled].length > kind.maxLength) return undefined;
      if (kind.maxBytes !== undefined && Buffer.byteLength(spelled, 'utf8') > kind.maxBytes) return undefined;
      return spelled;
    }
    case 'integer': {
      if (!INTEGER.test(id)) return undefined;
      const value = BigInt(id);
      return value < kind.min || value > kind.max ? undefined : value.toString();
    }
    case 'uuid': {
      if (!UUID.test(id)) return undefined;
      const hex = id.replace(/[{}-]/g, '').toLowerCase();
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
}

/** A short description of what the column holds, for error messages. */
export function describeIdColumn(kind: IdColumnKind): string {
  if (kind.kind === 'integer') return `an integer from ${kind.min} to ${kind.max}`;
  if (kind.kind === 'uuid') return 'a uuid';
  if (kind.maxBytes !== undefined) return `at most ${kind.maxBytes} UTF-8 bytes`;
  return `at most ${kind.maxLength ?? 'unlimited'} characters`;
}
