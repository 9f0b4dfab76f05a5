import { DEFAULT_SCHEMA, identifierProblem } from '@checkout/core';
import { type RawBuilder, sql } from 'kysely';
import { IdempotencyConfigError } from '../errors.js';

/** Default table name of the Postgres idempotency table (in schema `public` unless `schema` is given). */
export const DEFAULT_IDEMPOTENCY_TABLE = 'checkout_idempotency';

/** Validated schema and table names. */
export interface IdempotencyTableName {
  readonly schema: string;
  readonly table: string;
}

/** Validates the names (`IdempotencyConfigError` naming the option); nothing reaches SQL unchecked. */
export function resolveTableName(options: {
  readonly schema?: unknown;
  readonly table?: unknown;
}): IdempotencyTableName {
  return {
    schema: identifier('schema', options.schema ?? DEFAULT_SCHEMA),
    table: identifier('table', options.table ?? DEFAULT_IDEMPOTENCY_TABLE),
  };
}

function identifier(option: 'schema' | 'table', value: unknown): string {
  const problem = identifierProblem(value);
  if (problem !== undefined) throw new IdempotencyConfigError([option], problem);
  return value as string;
}

/** The quoted, schema-qualified table reference. */
export function tableRef(name: IdempotencyTableName): RawBuilder<unknown> {
  return sql.id(name.schema, name.table);
}
