import { type QueryExecutorProvider, sql } from 'kysely';
import { IdempotencyLeaseLostError, IdempotencyOptionsError, IdempotencyRecordError } from '../errors.js';
import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  IdempotencyStore,
  ReleaseRequest,
} from '../store/idempotency-store.js';
import { checkAcquireRequest, checkCompleteRequest, checkReleaseRequest } from '../store/store-request.js';
import { decodeRow, type IdempotencyRow } from './row-codec.js';
import { type IdempotencyTableName, type IdempotencyTableOptions, resolveTableName, tableRef } from './table-name.js';

/** Options of {@link KyselyIdempotencyStore}. */
export interface KyselyIdempotencyStoreOptions extends IdempotencyTableOptions {
  /** A `Kysely` instance on Postgres (or a `Transaction`: then every call runs in it). */
  readonly db: QueryExecutorProvider;
}

// A key that vanished between the conflicting insert and the read (released meanwhile) is retried.
const ACQUIRE_ATTEMPTS = 5;

/**
 * Idempotency records in Postgres through Kysely (table from `idempotencyMigration`). Used alone it
 * is an ordinary store (each call autocommits); bound to a transaction with `inTransaction(trx)`,
 * or through `idempotentTransaction`, the record commits or rolls back with the caller's writes.
 */
export class KyselyIdempotencyStore implements IdempotencyStore {
  readonly #db: QueryExecutorProvider;
  readonly #name: IdempotencyTableName;

  constructor(options: KyselyIdempotencyStoreOptions) {
    if (typeof options.db?.getExecutor !== 'function')
      throw new IdempotencyOptionsError('db', 'is not a Kysely instance');
    this.#db = options.db;
    this.#name = resolveTableName(options);
  }

  /** The validated table location (for `idempotencyMigration` and cleanup jobs). */
  get table(): IdempotencyTableName {
    return this.#name;
  }

  /** The same store running every statement in `trx`. */
  inTransaction(trx: QueryExecutorProvider): KyselyIdempotencyStore {
    return new KyselyIdempotencyStore({ db: trx, table: this.#name.table, ...schemaOf(this.#name) });
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
        FROM ${table} WHERE key = ${request.key} AND NOT EXISTS (SELECT 1 FROM inserted)`.execute(this.#db);
      const first = claimed.rows[0];
      if (first?.acquired === true) return { acquired: true };
      if (first !== undefined) return { acquired: false, existing: decodeRow(first) };
      // The blocking record committed after this statement's snapshot was taken: read it afresh.
      const existing = await sql<IdempotencyRow>`
        SELECT key, status, fingerprint, lease_token, lease_expires_at, expires_at, outcome, result
        FROM ${table} WHERE key = ${request.key}`.execute(this.#db);
      const row = existing.rows[0];
      if (row !== undefined) return { acquired: false, existing: decodeRow(row) };
    }
    throw new IdempotencyRecordError('key', `kept vanishing after ${ACQUIRE_ATTEMPTS} acquire attempts`);
  }

  /** {@inheritDoc IdempotencyStore.complete} */
  async complete(request: CompleteRequest): Promise<void> {
    checkCompleteRequest(request);
    const updated = await sql<{ key: string }>`
      UPDATE ${tableRef(this.#name)}
      SET status = 'completed', outcome = ${request.outcome}, result = ${request.result}, expires_at = ${request.expiresAt}
      WHERE key = ${request.key} AND lease_token = ${request.leaseToken} AND status = 'in_progress'
      RETURNING key`.execute(this.#db);
    if (updated.rows.length === 0) throw new IdempotencyLeaseLostError();
  }

  /** {@inheritDoc IdempotencyStore.release} */
  async release(request: ReleaseRequest): Promise<boolean> {
    checkReleaseRequest(request);
    const deleted = await sql<{ key: string }>`
      DELETE FROM ${tableRef(this.#name)}
      WHERE key = ${request.key} AND lease_token = ${request.leaseToken} AND status = 'in_progress'
      RETURNING key`.execute(this.#db);
    return deleted.rows.length > 0;
  }

  /**
   * Deletes up to `limit` records whose TTL has passed (Postgres has no TTL of its own): run it from a
   * scheduled job. Short statements, `SKIP LOCKED`, so it never waits on live checkouts. Returns how many it deleted.
   */
  async deleteExpired(options: { readonly limit?: number; readonly now?: number } = {}): Promise<number> {
    const limit = options.limit ?? 1000;
    if (!Number.isSafeInteger(limit) || limit <= 0)
      throw new IdempotencyOptionsError('limit', 'must be a positive integer');
    const now = options.now ?? Date.now();
    if (!Number.isSafeInteger(now)) throw new IdempotencyOptionsError('now', 'must be integer epoch milliseconds');
    const table = tableRef(this.#name);
    const deleted = await sql<{ key: string }>`
      DELETE FROM ${table} WHERE key IN (
        SELECT key FROM ${table} WHERE expires_at <= ${now} ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) RETURNING key`.execute(this.#db);
    return deleted.rows.length;
  }
}

function schemaOf(name: IdempotencyTableName): { schema?: string } {
  return name.schema === undefined ? {} : { schema: name.schema };
}
