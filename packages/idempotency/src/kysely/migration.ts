import { createSchemaSql } from '@checkout/core';
import { ddlMigration, ddlSql } from '@checkout/core/kysely';
import { type RawBuilder, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { type IdempotencyTableName, tableRef } from './table-name.js';

// Times are epoch milliseconds (`bigint`), the caller's clock, like the DynamoDB store, so leases
// behave the same in every store.
function upStatements(name: IdempotencyTableName): RawBuilder<unknown>[] {
  const table = tableRef(name);
  return [
    sql.raw(createSchemaSql(name.schema)),
    sql`CREATE TABLE ${table} (
  key text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
  fingerprint text NOT NULL,
  lease_token text NOT NULL,
  lease_expires_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  outcome text CHECK (outcome IN ('value', 'error')),
  result text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'completed') = (outcome IS NOT NULL AND result IS NOT NULL))
)`,
    // deleteExpired walks records in expiry order.
    sql`CREATE INDEX ${sql.id(`${name.table}_expires_at_idx`)} ON ${table} (expires_at)`,
  ];
}

// The index goes with its table; the schema is shared and stays.
function downStatements(name: IdempotencyTableName): RawBuilder<unknown>[] {
  return [sql`DROP TABLE IF EXISTS ${tableRef(name)}`];
}

/** The migration creating the idempotency table and its index (`down` drops them). */
export function tableMigration(name: IdempotencyTableName): Migration {
  return ddlMigration({ up: () => upStatements(name), down: () => downStatements(name) });
}

/** The same statements as text, each ending with `;`, for Flyway, Liquibase, dbmate or psql. */
export function tableMigrationSql(name: IdempotencyTableName, direction: 'up' | 'down'): string {
  return ddlSql(direction === 'up' ? upStatements(name) : downStatements(name));
}
