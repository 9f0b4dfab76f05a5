import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createSchemaSql } from '../identifiers/create-schema-sql.js';
import { ddlMigration, ddlSql } from './ddl-migration.js';

describe('ddlSql', () => {
  it('compiles the statements for Postgres, quoted, one per line group, each ending with ;', () => {
    const text = ddlSql([
      sql.raw(createSchemaSql('Shop')),
      sql`CREATE TABLE ${sql.id('Shop', 'notes')} (id text PRIMARY KEY)`,
      sql`CREATE INDEX ${sql.id('notes_idx')} ON ${sql.id('Shop', 'notes')} (id)`,
    ]);
    expect(text).toBe(
      `${createSchemaSql('Shop')};\n\nCREATE TABLE "Shop"."notes" (id text PRIMARY KEY);\n\nCREATE INDEX "notes_idx" ON "Shop"."notes" (id);\n`,
    );
  });
});

describe('ddlMigration', () => {
  it('builds the statements when it runs, not before', () => {
    let built = 0;
    const migration = ddlMigration({
      up: () => {
        built += 1;
        return [];
      },
      down: () => [],
    });
    expect(built).toBe(0);
    expect(typeof migration.up).toBe('function');
    expect(typeof migration.down).toBe('function');
  });
});
