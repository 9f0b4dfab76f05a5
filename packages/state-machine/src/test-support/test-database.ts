// Test-only: a Kysely instance on a fresh schema of the run's Postgres. Not part of the published surface.
import { createTestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** Tables the tests use: the caller's own `orders`, a stand-in outbox, and the store's tables. */
export interface TestDatabase {
  orders: { id: string; customer_id: string; total_cents: number };
  outbox: { id: string; order_id: string; type: string };
}

export interface TestDb {
  readonly db: Kysely<TestDatabase>;
  readonly schema: string;
  /** Count rows of `table` in the test schema. */
  count(table: string, where?: string): Promise<number>;
  close(): Promise<void>;
}

export async function openTestDb(): Promise<TestDb> {
  const stack = useCheckoutStack();
  const schema = await createTestSchema(stack.postgres, 'sm');
  const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 30 });
  const db = new Kysely<TestDatabase>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema.name);
  return {
    db,
    schema: schema.name,
    async count(table, where = 'true') {
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM ${sql.id(schema.name, table)} WHERE ${sql.raw(where)}`.execute(db);
      return rows[0]?.n ?? 0;
    },
    async close() {
      await db.destroy();
      await schema.drop();
    },
  };
}
