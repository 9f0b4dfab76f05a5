import { type QueryExecutorProvider, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import {
  IdempotencyConfigError,
  IdempotencyInputError,
  IdempotencyLeaseLostError,
  IdempotencyRecordError,
} from '../errors.js';
import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  IdempotencyStore,
  ReleaseRequest,
} from '../store/idempotency-store.js';
import {
  checkAcquireRequest,
  checkCompleteRequest,
  checkReleaseRequest,
  otherFingerprintError,
} from '../store/store-request.js';
import { tableMigration, tableMigrationSql } from './migration.js';
import { decodeRow, type IdempotencyRow } from './row-codec.js';
import { type IdempotencyTableName, resolveTableName, tableRef } from './table-name.js';

/** Options of {@link createKyselyIdempotencyStore}. */
export interface KyselyIdempotencyStoreOptions {
  /**
   * A `Kysely` on Postgres, for the store's own statements (`withIdempotency`, `once`): each one
   * autocommits. Not needed for `idempotentTransaction` (it runs on the `db` or `trx` it is given)
   * nor for `.migration()`.
   */
  readonly db?: QueryExecutorProvider;
  /** Postgres schema of the table. Default `'public'` (never the connection's `search_path`). */
  readonly schema?: string;
  /** Table name. Default `checkout_idempotency`. */
  readonly table?: string;
  /** The clock `deleteExpired` compares expiry times with: epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options of {@link KyselyIdempotencyStore.deleteExpired}. */
export interface DeleteExpiredOptions {
  /** Most records deleted by one call. Default 1000. */
  readonly limit?: number;
}

/**
 * The Postgres idempotency table: an `IdempotencyStore` (for `withIdempotency` and `once`, on the
 * `db` of its options), the store of `idempotentTransaction` (the record in your transaction), and
 * the owner of its DDL.
 */
export interface KyselyIdempotencyStore extends IdempotencyStore {
  /** The table's schema (validated). */
  readonly schema: string;
  /** The table's name (validated). */
  readonly table: string;
  /** A Kysely migration creating the table and its index (`down` drops them). One line in your migration list. */
  migration(): Migration;
  /** The statements of {@link KyselyIdempotencyStore.migration} as text, for Flyway, dbmate or psql. */
  migrationSql(direction: 'up' | 'down'): string;
  /**
   * Deletes up to `limit` records whose TTL has passed, on `db` (Postgres has no TTL of its own):
   * run it from a scheduled job. Short statements, `SKIP LOCKED`, so it never waits on live
   * checkouts. Returns how many it deleted.
   */
  deleteExpired(db: QueryExecutorProvider, options?: DeleteExpiredOptions): Promise<number>;
}

// A key that vanished between the conflicting insert and the read (released meanwhile) is retried.
const ACQUIRE_ATTEMPTS = 5;

// The validated table of every store this module created: idempotentTransaction accepts only those.
const tables = new WeakMap<object, IdempotencyTableName>();

/**
 * The Postgres idempotency store and its table. Options are checked here (`IdempotencyConfigError`
 * naming the option); schema and table names follow core's `identifierProblem` and are always
 * quoted.
 *
 * @example
 * ```ts
 * import { createKyselyIdempotencyStore } from '@checkout/idempotency/kysely';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import { Migrator } from 'kysely/migration';
 * import pg from 'pg';
 *
 * const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
 * const idempotency = createKyselyIdempotencyStore({ db, schema: 'checkout' });
 * const migrator = new Migrator({
 *   db,
 *   provider: { getMigrations: async () => ({ '004_idempotency': idempotency.migration() }) },
 * });
 * await migrator.migrateToLatest();
 * await idempotency.deleteExpired(db, { limit: 1000 }); // from a scheduled job
 * ```
 */
export function createKyselyIdempotencyStore(options: KyselyIdempotencyStoreOptions = {}): KyselyIdempotencyStore {
  if (typeof options !== 'object' || options === null) {
    throw new IdempotencyConfigError(['options'], 'must be an object');
  }
  if (options.db !== undefined && typeof options.db?.getExecutor !== 'function') {
    throw new IdempotencyConfigError(['db'], 'is not a Kysely instance');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new IdempotencyConfigError(['now'], 'must be a function');
  }
  const name = resolveTableName(options);
  const now = options.now ?? Date.now;
  const own = options.db === undefined ? undefined : new PostgresRecords(options.db, name);
  const records = () => {
    if (own === undefined) {
      throw new IdempotencyConfigError(['db'], 'is required to use the store outside idempotentTransaction');
    }
    return own;
  };
  const store: KyselyIdempotencyStore = {
    schema: name.schema,
    table: name.table,
    acquire: async (request) => records().acquire(request),
    complete: async (request) => records().complete(request),
    release: async (request) => records().release(request),
    migration: () => tableMigration(name),
    migrationSql: (direction) => {
      if (direction !== 'up' && direction !== 'down') {
        throw new IdempotencyInputError(['direction'], "must be 'up' or 'down'");
      }
      return tableMigrationSql(name, direction);
    },
    deleteExpired: async (db, deleteOptions = {}) => {
      if (typeof db?.getExecutor !== 'function') throw new IdempotencyInputError(['db'], 'is not a Kysely instance');
      const limit = deleteOptions.limit ?? 1000;
      if (!Number.isSafeInteger(limit) || limit <= 0) {
        throw new IdempotencyInputError(['limit'], 'must be a positive integer');
      }
      const at = now();
      if (!Number.isSafeInteger(at)) {
        throw new IdempotencyConfigError(['now'], `must return integer epoch milliseconds, got ${String(at)}`);
      }
      return new PostgresRecords(db, name).deleteExpired(limit, at);
    },
  };
  tables.set(store, name);
  return store;
}

/** The table of a store made by {@link createKyselyIdempotencyStore}, or `undefined` for anything else. */
export function tableOf(store: unknown): IdempotencyTableName | undefined {
  return typeof store === 'object' && store !== null ? tables.get(store) : undefined;
}

/** The records of `name`, every statement on `executor` (a `Kysely`, or the caller's `Transaction`). */
export class PostgresRecords implements IdempotencyStore {
  readonly #executor: QueryExecutorProvider;
  readonly #name: IdempotencyTableName;

  constructor(executor: QueryExecutorProvider, name: IdempotencyTableName) {
    this.#executor = executor;
    this.#name = name;
  }

  /** {@inheritDoc IdempotencyStore.acquire} */
  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    checkAcquireRequest(request);
    const table = tableRef(this.#name);
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt += 1) {
      // Inside a transaction a concurrent insert of the same key waits here until that transaction
      // ends, then sees its committed record (or takes the key if it rolled back). One round trip
      // for both outcomes: the record that blocked us comes back in the same statement.
      const claimed = await sql<IdempotencyRow & { acquired: boolean }>`
        WITH inserted AS (
          INSERT INTO ${table} AS t (key, status, fingerprint, lease_token, lease_expires_at, expires_at)
          VALUES (${request.key}, 'in_progress', ${request.fingerprint}, ${request.leaseToken}, ${request.leaseExpiresAt}, ${request.expiresAt})
          ON CONFLICT (key) DO UPDATE SET
            status = 'in_progress', fingerprint = excluded.fingerprint, lease_token = excluded.lease_token,
            lease_expires_at = excluded.lease_expires_at, expires_at = excluded.expires_at,
            outcome = NULL, result = NULL, created_at = now()
          WHERE t.expires_at <= ${request.now}
            OR (t.status = 'in_progress' AND t.lease_expires_at <= ${request.now} AND t.fingerprint = excluded.fingerprint)
          RETURNING key
        )
        SELECT true AS acquired, NULL AS key, NULL AS status, NULL AS fingerprint, NULL AS lease_token,
          NULL AS lease_expires_at, NULL AS expires_at, NULL AS outcome, NULL AS result
        FROM inserted
        UNION ALL
        SELECT false, key, status, fingerprint, lease_token, lease_expires_at, expires_at, outcome, result
        FROM ${table} WHERE key = ${request.key} AND NOT EXISTS (SELECT 1 FROM inserted)`.execute(this.#executor);
      const first = claimed.rows[0];
      if (first?.acquired === true) return { acquired: true };
      if (first !== undefined) return { acquired: false, existing: decodeRow(first) };
      // The blocking record committed after this statement's snapshot was taken: read it afresh.
      const existing = await sql<IdempotencyRow>`
        SELECT key, status, fingerprint, lease_token, lease_expires_at, expires_at, outcome, result
        FROM ${table} WHERE key = ${request.key}`.execute(this.#executor);
      const row = existing.rows[0];
      if (row !== undefined) return { acquired: false, existing: decodeRow(row) };
    }
    throw new IdempotencyRecordError('key', `kept vanishing after ${ACQUIRE_ATTEMPTS} acquire attempts`);
  }

  /** {@inheritDoc IdempotencyStore.complete} */
  async complete(request: CompleteRequest): Promise<void> {
    checkCompleteRequest(request);
    const { fingerprint } = request;
    const table = tableRef(this.#name);
    const updated = await sql<{ key: string }>`
      UPDATE ${table}
      SET status = 'completed', outcome = ${request.outcome}, result = ${request.result}, expires_at = ${request.expiresAt}
      WHERE key = ${request.key} AND lease_token = ${request.leaseToken} AND status = 'in_progress'
        ${fingerprint === undefined ? sql`` : sql`AND fingerprint = ${fingerprint}`}
      RETURNING key`.execute(this.#executor);
    if (updated.rows.length > 0) return;
    if (fingerprint !== undefined) {
      // Only on failure: our own lease under another fingerprint is the caller's input, not a lost lease.
      const held = await sql<{ key: string }>`
        SELECT key FROM ${table}
        WHERE key = ${request.key} AND lease_token = ${request.leaseToken} AND status = 'in_progress'`.execute(
        this.#executor,
      );
      if (held.rows.length > 0) {
        throw otherFingerprintError();
      }
    }
    throw new IdempotencyLeaseLostError();
  }

  /** {@inheritDoc IdempotencyStore.release} */
  async release(request: ReleaseRequest): Promise<boolean> {
    checkReleaseRequest(request);
    const deleted = await sql<{ key: string }>`
      DELETE FROM ${tableRef(this.#name)}
      WHERE key = ${request.key} AND lease_token = ${request.leaseToken} AND status = 'in_progress'
      RETURNING key`.execute(this.#executor);
    return deleted.rows.length > 0;
  }

  /** Deletes up to `limit` records expired at `now`; returns how many. */
  async deleteExpired(limit: number, now: number): Promise<number> {
    const table = tableRef(this.#name);
    const deleted = await sql<{ key: string }>`
      DELETE FROM ${table} WHERE key IN (
        SELECT key FROM ${table} WHERE expires_at <= ${now} ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) RETURNING key`.execute(this.#executor);
    return deleted.rows.length;
  }
}
