import { createSchemaSql } from '@checkout/core';
import { createKyselyIdempotencyStore } from '@checkout/idempotency/kysely';
import { createOutbox } from '@checkout/outbox';
import { createStateStore, orderMachine } from '@checkout/state-machine';
import { type Kysely, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';

/** The recipes' own table. The state store adds `state` and `version` (and its audit table) next to it. */
export interface RecipeDatabase {
  orders: {
    id: string;
    /** Who placed the order: every read is scoped to it. */
    principal: string;
    cart_id: string;
    amount_minor: number;
    currency: string;
    /** Filled by the state store (`orders.create`). */
    state: string | null;
    version: number | null;
  };
}

/**
 * The checkout-kit components on one Postgres schema: the same definitions serve the app and its
 * migrations (each component owns its DDL).
 */
export function createComponents(schema: string) {
  return {
    outbox: createOutbox({ schema }),
    orders: createStateStore({ machine: orderMachine, schema, aggregateTable: 'orders' }),
    idempotency: createKyselyIdempotencyStore({ schema }),
  };
}

/** The migrations, in order: the `orders` table, then one line per component. */
export function recipeMigrations(schema: string): Record<string, Migration> {
  const components = createComponents(schema);
  return {
    '001_orders': {
      async up(db: Kysely<unknown>) {
        await sql.raw(createSchemaSql(schema)).execute(db);
        await sql`CREATE TABLE ${sql.id(schema, 'orders')} (
          id text PRIMARY KEY,
          principal text NOT NULL,
          cart_id text NOT NULL,
          amount_minor integer NOT NULL CHECK (amount_minor > 0),
          currency char(3) NOT NULL
        )`.execute(db);
      },
      async down(db: Kysely<unknown>) {
        await sql`DROP TABLE IF EXISTS ${sql.id(schema, 'orders')}`.execute(db);
      },
    },
    '002_order_state': components.orders.migration(),
    '003_outbox': components.outbox.migration(),
    '004_idempotency': components.idempotency.migration(),
    '005_order_deadlines': components.orders.deadlineMigration(),
  };
}

/** Migrates `db` to the latest version with Kysely's `Migrator` (run it before the app starts, e.g. in a deploy step). */
export async function migrateToLatest<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => recipeMigrations(schema) },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed`, { cause: error });
  }
}
