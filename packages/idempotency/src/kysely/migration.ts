import { type QueryExecutorProvider, sql } from 'kysely';
import { type IdempotencyTableOptions, resolveTableName, tableRef } from './table-name.js';

/** A Kysely `Migrator`-compatible migration (`up`, `down`). */
export interface IdempotencyMigration {
  up(db: QueryExecutorProvider): Promise<void>;
  down(db: QueryExecutorProvider): Promise<void>;
}

/**
 * The migration that creates the idempotency table: add it to your Kysely migration provider, or
 * call `up(db)` in tests. Times are epoch milliseconds (`bigint`), the caller's clock, like the
 * DynamoDB store, so leases behave the same in every store. Creates the schema if missing.
 */
export function idempotencyMigration(options: IdempotencyTableOptions = {}): IdempotencyMigration {
  const name = resolveTableName(options);
  const table = tableRef(name);
  const expiresIndex = sql.id(`${name.table}_expires_at_idx`);
  return {
    async up(db) {
      if (name.schema !== undefined) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(name.schema)}`.execute(db);
      await sql`
        CREATE TABLE IF NOT EXISTS ${table} (
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
        )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ${expiresIndex} ON ${table} (expires_at)`.execute(db);
    },
    async down(db) {
      await sql`DROP TABLE IF EXISTS ${table}`.execute(db);
    },
  };
}
