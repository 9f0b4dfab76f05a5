import { type Kysely, sql, type Transaction } from 'kysely';
import {
  completeWithError,
  completeWithValue,
  type IdempotentResult,
  settleExisting,
  startAttempt,
} from '../core/attempt.js';
import { DEFAULT_LEASE_MS } from '../core/lease.js';
import { type IdempotencyPolicy, type IdempotencyPolicyOptions, resolvePolicy, wholeMs } from '../core/policy.js';
import { IdempotencyConfigError } from '../errors.js';
import type { AcquireRequest } from '../store/idempotency-store.js';
import { type KyselyIdempotencyStore, PostgresRecords, tableOf } from './kysely-store.js';
import type { IdempotencyTableName } from './table-name.js';

/** Options of {@link idempotentTransaction}. */
export interface IdempotentTransactionOptions<R> extends IdempotencyPolicyOptions<R> {
  /** Where the records live (its schema and table; statements run on the `db` or `trx` given to `idempotentTransaction`). */
  readonly store: KyselyIdempotencyStore;
  /** Who and what the key belongs to, e.g. `` `${tenantId}:checkout` ``. */
  readonly scope: string;
  /** The caller's idempotency key. */
  readonly key: string;
  /** What must match on a replay, e.g. the request body (canonical JSON, SHA-256). Pass `null` to match any payload. */
  readonly fingerprint: unknown;
  /** Lease seen by non-transactional users of the same table, in milliseconds. Default 60 000. */
  readonly inProgressLeaseMs?: number;
}

const SAVEPOINT = sql.raw('checkout_idempotency');

/**
 * Runs `fn` in a Postgres transaction together with its idempotency record: the record, the order
 * and the outbox rows commit together or not at all. A retry with the same key replays the stored
 * result without running `fn`; a concurrent retry waits for the first transaction, then replays.
 *
 * `db` may be a `Kysely` (a transaction is opened and committed here) or the caller's own
 * `Transaction` (then the caller commits; a savepoint undoes `fn`'s writes when it throws).
 * `options.store` is a store made by `createKyselyIdempotencyStore` (it names the table).
 *
 * @example
 * ```ts
 * import { createKyselyIdempotencyStore, idempotentTransaction } from '@checkout/idempotency/kysely';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 *
 * interface Database { orders: { id: string; amount: number } }
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
 * const store = createKyselyIdempotencyStore({ db, schema: 'checkout' });
 * const { value, replayed } = await idempotentTransaction(
 *   db,
 *   { store, scope: 'tenant-1:checkout', key: 'k-1', fingerprint: { amount: 100 } },
 *   async (trx) => {
 *     await trx.insertInto('orders').values({ id: 'o-1', amount: 100 }).execute();
 *     return { orderId: 'o-1' };
 *   },
 * );
 * ```
 */
export async function idempotentTransaction<DB, R>(
  db: Kysely<DB> | Transaction<DB>,
  options: IdempotentTransactionOptions<R>,
  fn: (trx: Transaction<NoInfer<DB>>) => Promise<R>,
): Promise<IdempotentResult<R>> {
  const table = tableOf(options?.store);
  if (table === undefined) {
    throw new IdempotencyConfigError(['store'], 'must be a store made by createKyselyIdempotencyStore');
  }
  const policy = resolvePolicy(options);
  const leaseMs = wholeMs('inProgressLeaseMs', options.inProgressLeaseMs ?? DEFAULT_LEASE_MS);
  // Validates key, scope and payload before anything is written.
  const attempt = startAttempt(policy, {
    scope: options.scope,
    key: options.key,
    payload: options.fingerprint,
    leaseMs,
  });
  if (db.isTransaction) return runInCallerTransaction(db as Transaction<DB>, table, policy, attempt, fn);
  return runInOwnTransaction(db, table, policy, attempt, fn);
}

/**
 * Our own transaction: no savepoint needed (any error rolls everything back). A remembered error
 * rolls back fn's writes with the transaction, then stores the error record on its own.
 */
async function runInOwnTransaction<DB, R>(
  db: Kysely<DB>,
  table: IdempotencyTableName,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  fn: (trx: Transaction<DB>) => Promise<R>,
): Promise<IdempotentResult<R>> {
  let remembered: { error: unknown } | undefined;
  try {
    return await db.transaction().execute(async (trx) => {
      const store = new PostgresRecords(trx, table);
      const acquired = await store.acquire(attempt);
      if (!acquired.acquired) return settleExisting(policy, attempt, acquired.existing);
      let value: R;
      try {
        value = await fn(trx);
      } catch (error) {
        if (policy.rememberErrors(error)) remembered = { error };
        throw error;
      }
      // A result that cannot be stored throws IdempotencyResultUnserializableError here: the
      // transaction rolls back, fn's writes with it, so a retry is a first attempt again. (The
      // Postgres store has no item size limit, so IdempotencyResultTooLargeError cannot occur;
      // any error from complete rolls back the same way.)
      const completion = completeWithValue(policy, attempt, value);
      await store.complete(completion.request);
      return { value: completion.value, replayed: false };
    });
  } catch (error) {
    if (remembered === undefined || remembered.error !== error) throw error;
    // A retry that slipped in after the rollback owns the key now; then the error is not stored.
    const store = new PostgresRecords(db, table);
    const again = await store.acquire(attempt);
    if (again.acquired) await store.complete(completeWithError(policy, attempt, error));
    throw error;
  }
}

/** The caller's transaction: a savepoint undoes fn's writes and our record when fn throws. */
async function runInCallerTransaction<DB, R>(
  trx: Transaction<DB>,
  table: IdempotencyTableName,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  fn: (trx: Transaction<DB>) => Promise<R>,
): Promise<IdempotentResult<R>> {
  const store = new PostgresRecords(trx, table);
  await sql`SAVEPOINT ${SAVEPOINT}`.execute(trx);
  const acquired = await store.acquire(attempt);
  if (!acquired.acquired) {
    await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
    return settleExisting(policy, attempt, acquired.existing);
  }
  let value: R;
  try {
    value = await fn(trx);
  } catch (error) {
    // Undo fn's writes and our record; also recovers a transaction aborted by a failed statement.
    await sql`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`.execute(trx);
    if (!policy.rememberErrors(error)) {
      await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
      throw error;
    }
    // A concurrent retry may have taken the key once the savepoint rollback freed it: then it owns it.
    const again = await store.acquire(attempt);
    if (again.acquired) await store.complete(completeWithError(policy, attempt, error));
    await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
    // Stored in the caller's transaction: it counts once the caller commits.
    throw error;
  }
  let completion: ReturnType<typeof completeWithValue<R>>;
  try {
    completion = completeWithValue(policy, attempt, value);
  } catch (error) {
    // The result cannot be stored: undo fn's writes and our record, like a failed fn.
    await sql`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`.execute(trx);
    await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
    throw error;
  }
  await store.complete(completion.request);
  await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
  return { value: completion.value, replayed: false };
}
