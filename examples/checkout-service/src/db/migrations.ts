import { createSchemaSql } from '@checkout/core';
import { createKyselyIdempotencyStore } from '@checkout/idempotency/kysely';
import type { Outbox } from '@checkout/outbox';
import {
  createOrderMachine,
  createStateStore,
  type OrderDeadlines,
  type orderMachine,
  type StateStore,
} from '@checkout/state-machine';
import { type Kysely, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import type { CheckoutDatabase } from './database.js';

/** Table names inside the schema, shared by the migrations and the service. */
export const TABLES = {
  orders: 'orders',
  audit: 'audit_events',
  outbox: 'checkout_outbox',
  idempotency: 'idempotency_keys',
} as const;

/**
 * The orders' state store on `schema`: one definition for the service (`deps.orders`) and for its
 * migrations (`002_order_state`, `005_order_deadlines`). `deadlines` shortens the order deadlines (the
 * demo); production keeps the defaults (15 minutes to pay, 10 to reserve stock).
 */
export function createOrderStore(
  schema: string,
  deadlines: OrderDeadlines = {},
): StateStore<typeof orderMachine, CheckoutDatabase> {
  return createStateStore({
    machine: createOrderMachine(deadlines),
    schema,
    aggregateTable: TABLES.orders,
    auditTable: TABLES.audit,
  });
}

/**
 * The example's migrations, in order, for Kysely's `Migrator` (or call each `up` in a test): its own
 * tables first, then the packages' migrations on the same schema. `outbox` is the service's
 * `createOutbox({ schema, table: TABLES.outbox })` (it owns its DDL).
 */
export function checkoutMigrations(options: {
  readonly schema: string;
  readonly outbox: Outbox;
}): Record<string, Migration> {
  const { schema } = options;
  const table = (name: string) => sql.id(schema, name);
  return {
    '001_checkout_tables': {
      async up(db: Kysely<unknown>) {
        await sql.raw(createSchemaSql(schema)).execute(db);
        await sql`CREATE TABLE ${table('orders')} (
          id text PRIMARY KEY,
          principal text NOT NULL,
          idempotency_key text NOT NULL,
          customer_id text NOT NULL,
          currency char(3) NOT NULL,
          subtotal integer NOT NULL CHECK (subtotal >= 0),
          discount integer NOT NULL CHECK (discount >= 0),
          tax integer NOT NULL CHECK (tax >= 0),
          total integer NOT NULL CHECK (total >= 0),
          lines jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
        // Not unique on purpose: one order per key is the idempotency record's job, and the
        // invariant check counts orders per key here to prove it.
        await sql`CREATE INDEX ${sql.id('orders_idempotency_key_idx')} ON ${table('orders')} (principal, idempotency_key)`.execute(
          db,
        );
        await sql`CREATE TABLE ${table('payment_intents')} (
          order_id text PRIMARY KEY REFERENCES ${table('orders')} (id),
          provider_request_id text NOT NULL UNIQUE,
          amount integer NOT NULL CHECK (amount >= 0),
          currency char(3) NOT NULL,
          payment_token text NOT NULL,
          status text NOT NULL CHECK (status IN ('pending', 'authorized', 'declined', 'voided')),
          authorization_id text,
          decline_reason text,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
        await sql`CREATE TABLE ${table('order_report')} (
          order_id text PRIMARY KEY,
          customer_id text NOT NULL,
          outcome text NOT NULL,
          total integer NOT NULL,
          currency char(3) NOT NULL,
          units integer NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      },
      async down(db: Kysely<unknown>) {
        for (const name of ['order_report', 'payment_intents', 'orders']) {
          await sql`DROP TABLE IF EXISTS ${table(name)}`.execute(db);
        }
      },
    },
    '002_order_state': createOrderStore(schema).migration(),
    '003_outbox': options.outbox.migration(),
    '004_idempotency': createKyselyIdempotencyStore({ schema, table: TABLES.idempotency }).migration(),
    '005_order_deadlines': createOrderStore(schema).deadlineMigration(),
    '006_order_trace': {
      async up(db: Kysely<unknown>) {
        await sql`ALTER TABLE ${table('orders')} ADD COLUMN IF NOT EXISTS trace_parent text`.execute(db);
      },
      async down(db: Kysely<unknown>) {
        await sql`ALTER TABLE ${table('orders')} DROP COLUMN IF EXISTS trace_parent`.execute(db);
      },
    },
    // Optional speed-up: the workers' transitions run from a plan each connection keeps.
    '007_order_step_function': createOrderStore(schema).functionMigration(),
  };
}

/**
 * Migrates `db` to the latest version with Kysely's `Migrator` (the same path production uses): the
 * migration history is kept in `schema` (`kysely_migration`; the `Migrator` creates the schema if it
 * is missing), so a second call is a no-op. Any
 * `Kysely<DB>` works, no cast: every component's `.migration()` is a plain Kysely `Migration`.
 */
export async function migrateCheckoutDatabase<DB>(
  db: Kysely<DB>,
  options: { readonly schema: string; readonly outbox: Outbox },
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => checkoutMigrations(options) },
    migrationTableSchema: options.schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`checkout migrations failed at ${failed}`, { cause: error });
  }
}
