import { otel } from '@checkout/core';
import type { Kysely, Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import { type CleanupOptions, cleanupSentRows } from './admin/cleanup.js';
import { type RequeueDeadFilter, requeueDeadRows } from './admin/requeue-dead.js';
import { type OutboxStats, readStats } from './admin/stats.js';
import { enqueueMessages } from './enqueue/enqueue.js';
import type { OutboxMessage } from './enqueue/message.js';
import { OutboxInputError } from './errors.js';
import { type OutboxMigrationOptions, outboxMigration, outboxMigrationSql } from './table/migration.js';
import { type OutboxOptions, type OutboxTable, resolveOutboxTable } from './table/outbox-table.js';

/** One outbox table and everything you do with it. Create it once with {@link createOutbox}. */
export interface Outbox {
  /** The validated location and limits (schema, table, notify channel, max message bytes). */
  readonly table: OutboxTable;
  /**
   * Writes `messages` inside your transaction (`trx` first: a Kysely `Transaction`, never a plain
   * `Kysely`) and returns their row ids, in order. Commit and they will be published; roll back and
   * they never existed. Bad input throws `OutboxInputError` (or `OutboxMessageTooLargeError`) naming
   * the field, before any SQL: nothing is written and your transaction can still commit.
   */
  enqueue<DB>(trx: Transaction<DB>, messages: OutboxMessage | readonly OutboxMessage[]): Promise<string[]>;
  /**
   * Kysely's `Migration` creating this table, its indexes, its in-flight table and its claim
   * function (`down` drops exactly those). Put it in your `Migrator`'s list under a name of your choice.
   * `{ from: 1 }`: the upgrade of a table created by `@checkout/outbox` 0.1 (adds the trace context
   * columns); list it after the migration that created the table.
   */
  migration(options?: OutboxMigrationOptions): Migration;
  /** The same DDL as plain SQL (`up` or `down`), for Flyway, Liquibase, dbmate or psql. */
  migrationSql(direction: 'up' | 'down', options?: OutboxMigrationOptions): string;
  /** Counts read from the table (`db` first: a `Kysely` or a `Transaction`): pending, oldest pending age, retrying, dead, blocked behind dead. */
  stats<DB>(db: Kysely<DB> | Transaction<DB>): Promise<OutboxStats>;
  /** Brings dead rows back to pending (they keep their place in their group). Returns how many. */
  requeueDead<DB>(db: Kysely<DB> | Transaction<DB>, filter: RequeueDeadFilter): Promise<number>;
  /** Deletes sent rows past the retention in bounded batches. Returns how many. */
  cleanup<DB>(db: Kysely<DB> | Transaction<DB>, options: CleanupOptions): Promise<number>;
}

/**
 * Validates the options (names follow core's identifier rule and are always quoted; a bad one is an
 * `OutboxConfigError` naming the option) and returns the outbox. Nothing touches the database.
 *
 * @example
 * ```ts
 * import { createOutbox } from '@checkout/outbox';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 *
 * const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
 * const outbox = createOutbox({ schema: 'checkout', table: 'checkout_outbox' });
 * await outbox.migration().up(db); // or list it in your Migrator
 * await db.transaction().execute((trx) =>
 *   outbox.enqueue(trx, { destination: 'checkout-commands', groupKey: 'order-1', body: { type: 'AuthorizePayment' } }),
 * );
 * ```
 */
export function createOutbox(options: OutboxOptions = {}): Outbox {
  const table = resolveOutboxTable(options);
  // Load the optional API now, not in the first enqueue or publish.
  otel();
  return {
    table,
    enqueue: (trx, messages) => enqueueMessages(table, trx, messages),
    migration: (migrationOptions) => outboxMigration(table, migrationOptions),
    migrationSql: (direction, migrationOptions) => {
      if (direction !== 'up' && direction !== 'down') {
        throw new OutboxInputError('direction', `must be 'up' or 'down', got ${JSON.stringify(String(direction))}`);
      }
      return outboxMigrationSql(table, direction, migrationOptions);
    },
    stats: (db) => readStats(db, table),
    requeueDead: (db, filter) => requeueDeadRows(db, table, filter),
    cleanup: (db, cleanupOptions) => cleanupSentRows(db, table, cleanupOptions),
  };
}
