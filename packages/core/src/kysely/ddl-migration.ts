import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';
import type { Migration } from 'kysely/migration';

/** The DDL of one component: the statements of `up` and of `down`, in order. */
export interface DdlStatements {
  up(): readonly RawBuilder<unknown>[];
  down(): readonly RawBuilder<unknown>[];
}

/**
 * A Kysely `Migration` running `statements` one by one (in the `Migrator`'s transaction when it
 * runs one). What every checkout-kit component's `.migration()` returns.
 *
 * @example
 * ```ts
 * import { createSchemaSql } from '@checkout/core';
 * import { ddlMigration } from '@checkout/core/kysely';
 * import { sql } from 'kysely';
 *
 * const notes = ddlMigration({
 *   up: () => [sql.raw(createSchemaSql('shop')), sql`CREATE TABLE ${sql.id('shop', 'notes')} (id text PRIMARY KEY)`],
 *   down: () => [sql`DROP TABLE IF EXISTS ${sql.id('shop', 'notes')}`],
 * });
 * ```
 */
export function ddlMigration(statements: DdlStatements): Migration {
  return {
    up: async (db) => {
      for (const statement of statements.up()) await statement.execute(db);
    },
    down: async (db) => {
      for (const statement of statements.down()) await statement.execute(db);
    },
  };
}

/**
 * The same statements as SQL text, each ending with `;`, for Flyway, Liquibase, dbmate or psql:
 * what every checkout-kit component's `.migrationSql(direction)` returns. Compiled for Postgres
 * without a connection.
 *
 * @example
 * ```ts
 * import { ddlSql } from '@checkout/core/kysely';
 * import { sql } from 'kysely';
 *
 * ddlSql([sql`CREATE TABLE ${sql.id('shop', 'notes')} (id text PRIMARY KEY)`]);
 * // 'CREATE TABLE "shop"."notes" (id text PRIMARY KEY);\n'
 * ```
 */
export function ddlSql(statements: readonly RawBuilder<unknown>[]): string {
  const compiler = new Kysely<Record<string, never>>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return `${statements.map((statement) => statement.compile(compiler).sql).join(';\n\n')};\n`;
}
