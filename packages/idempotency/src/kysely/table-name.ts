import { type RawBuilder, sql } from 'kysely';
import { validateIdentifier } from './identifier.js';

/** Default table name of the Postgres idempotency table. */
export const DEFAULT_IDEMPOTENCY_TABLE = 'idempotency_keys';

/** Where the idempotency table lives. */
export interface IdempotencyTableOptions {
  /** Postgres schema. Default: the connection's `search_path` (usually `public`). */
  readonly schema?: string;
  /** Table name. Default `idempotency_keys`. */
  readonly table?: string;
}

/** Validated schema and table names. */
export interface IdempotencyTableName {
  readonly schema: string | undefined;
  readonly table: string;
}

/** Validates the names (typed error naming the option); nothing reaches SQL unchecked. */
export function resolveTableName(options: IdempotencyTableOptions): IdempotencyTableName {
  return {
    schema: options.schema === undefined ? undefined : validateIdentifier('schema', options.schema),
    table: validateIdentifier('table', options.table ?? DEFAULT_IDEMPOTENCY_TABLE),
  };
}

/** The quoted, optionally schema-qualified table reference. */
export function tableRef(name: IdempotencyTableName): RawBuilder<unknown> {
  return name.schema === undefined ? sql.id(name.table) : sql.id(name.schema, name.table);
}
