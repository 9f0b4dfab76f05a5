import type { Kysely, Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import { type CleanupOptions, cleanupSentRows } from './admin/cleanup.js';
import { type RequeueDeadFilter, requeueDeadRows } from './admin/requeue-dead.js';
import { type OutboxStats, readStats } from './admin/stats.js';
import { enqueueMessages } from './enqueue/enqueue.js';
import type { OutboxMessage } from './enqueue/message.js';
import { outboxMigration, outboxMigrationSql } from './table/migration.js';
import { type OutboxOptions, type OutboxTable, resolveOutboxTable } from './table/outbox-table.js';

/** One outbox table and everything you do with it. Create it once with {@link createOutbox}. */
export interface Outbox {
  /** The validated location and limits (schema, table, notify channel, max message bytes). */
  readonly table: OutboxTable;
  /**
   * Writes `messages` inside your transaction and returns their row ids, in order. Commit and
   * they will be published; roll back and they never existed. Bad input throws a typed error
   * naming the field and writes nothing.
   */
  enqueue<DB>(trx: Transaction<DB>, messages: OutboxMessage | readonly OutboxMessage[]): Promise<string[]>;
  /** A Kysely migration creating this table and its indexes. */
  migration(): Migration;
  /** The same DDL as plain SQL. */
  migrationSql(direction?: 'up' | 'down'): string;
  /** Counts read from the table: pending, oldest pending age, retrying, dead, blocked behind dead. */
  stats<DB>(db: Kysely<DB>): Promise<OutboxStats>;
  /** Brings dead rows back to pending (they keep their place in their group). Returns how many. */
  requeueDead<DB>(db: Kysely<DB>, filter: RequeueDeadFilter): Promise<number>;
  /** Deletes sent rows past the retention in bounded batches. Returns how many. */
  cleanup<DB>(db: Kysely<DB>, options: CleanupOptions): Promise<number>;
}

/** Validates the options (identifiers are checked, then always quoted) and returns the outbox. */
export function createOutbox(options: OutboxOptions = {}): Outbox {
  const table = resolveOutboxTable(options);
  return {
    table,
    enqueue: (trx, messages) => enqueueMessages(table, trx, messages),
    migration: () => outboxMigration(options),
    migrationSql: (direction = 'up') => outboxMigrationSql(options, direction),
    stats: (db) => readStats(db, table),
    requeueDead: (db, filter) => requeueDeadRows(db, table, filter),
    cleanup: (db, cleanupOptions) => cleanupSentRows(db, table, cleanupOptions),
  };
}
