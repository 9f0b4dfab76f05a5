import { type Kysely, sql, type Transaction } from 'kysely';
import {
  completeWithError,
  completeWithValue,
  type IdempotentResult,
  settleExisting,
  startAttempt,
} from '../core/attempt.js';
import { DEFAULT_LEASE_SECONDS } from '../core/lambda-context.js';
import {
  type IdempotencyPolicy,
  type IdempotencyPolicyOptions,
  positiveSeconds,
  resolvePolicy,
} from '../core/policy.js';
import { IdempotencyOptionsError } from '../errors.js';
import type { AcquireRequest } from '../store/idempotency-store.js';
import { KyselyIdempotencyStore } from './kysely-store.js';

/** Options of {@link idempotentTransaction}. */
export interface IdempotentTransactionOptions<R> extends IdempotencyPolicyOptions<R> {
  /** Where the records live (its schema and table; its own `db` is not used here). */
  readonly store: KyselyIdempotencyStore;
  /** Who and what the key belongs to, e.g. `` `${tenantId}:checkout` ``. */
  readonly scope: string;
  /** The caller's idempotency key. */
  readonly key: string;
  /** What must match on a replay, e.g. the request body (canonical JSON, SHA-256). Pass `null` to match any payload. */
  readonly fingerprint: unknown;
  /** Lease seen by non-transactional users of the same table, in seconds. Default 60. */
  readonly inProgressLeaseSeconds?: number;
}

const SAVEPOINT = sql.raw('checkout_idempotency');

/** Carries a remembered error out of the transaction callback so the transaction commits first. */
class CommitThenThrow {
  constructor(readonly error: unknown) {}
}

/**
 * Runs `fn` in a Postgres transaction together with its idempotency record: the record, the order
 * and the outbox rows commit together or not at all. A retry with the same key replays the stored
 * result without running `fn`; a concurrent retry waits for the first transaction, then replays.
 *
 * `db` may be a `Kysely` (a transaction is opened and committed here) or the caller's own
 * `Transaction` (then the caller commits; a savepoint undoes `fn`'s writes when it throws).
 */
export async function idempotentTransaction<DB, R>(
  db: Kysely<DB> | Transaction<DB>,
  options: IdempotentTransactionOptions<R>,
  fn: (trx: Transaction<NoInfer<DB>>) => Promise<R>,
): Promise<IdempotentResult<R>> {
  if (!(options.store instanceof KyselyIdempotencyStore)) {
    throw new IdempotencyOptionsError('store', 'must be a KyselyIdempotencyStore');
  }
  const policy = resolvePolicy(options);
  const leaseSeconds = positiveSeconds(
    'inProgressLeaseSeconds',
    options.inProgressLeaseSeconds ?? DEFAULT_LEASE_SECONDS,
  );
  // Validates key, scope and payload before anything is written.
  const attempt = startAttempt(policy, {
    scope: options.scope,
    key: options.key,
    payload: options.fingerprint,
    leaseMs: leaseSeconds * 1000,
  });
  const run = (trx: Transaction<DB>) => runInTransaction(trx, options.store, policy, attempt, fn);
  if (db.isTransaction) {
    try {
      return await run(db as Transaction<DB>);
    } catch (error) {
      throw error instanceof CommitThenThrow ? error.error : error;
    }
  }
  const outcome = await db.transaction().execute(async (trx) => {
    try {
      return { result: await run(trx) };
    } catch (error) {
      if (error instanceof CommitThenThrow) return { remembered: error };
      throw error;
    }
  });
  if ('remembered' in outcome) throw outcome.remembered.error;
  return outcome.result;
}

async function runInTransaction<DB, R>(
  trx: Transaction<DB>,
  unbound: KyselyIdempotencyStore,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  fn: (trx: Transaction<DB>) => Promise<R>,
): Promise<IdempotentResult<R>> {
  const store = unbound.inTransaction(trx);
  await sql`SAVEPOINT ${SAVEPOINT}`.execute(trx);
  const acquired = await store.acquire(attempt);
  if (!acquired.acquired) {
    await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
    return settleExisting(policy, attempt, acquired.existing);
  }
  let completion: ReturnType<typeof completeWithValue<R>>;
  try {
    completion = completeWithValue(policy, attempt, await fn(trx));
  } catch (error) {
    // Undo fn's writes and our record; also recovers a transaction aborted by a failed statement.
    await sql`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`.execute(trx);
    if (!policy.rememberErrors(error)) {
      await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
      throw error;
    }
    await store.acquire(attempt);
    await store.complete(completeWithError(policy, attempt, error));
    await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
    throw new CommitThenThrow(error);
  }
  await store.complete(completion.request);
  await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
  return { value: completion.value, replayed: false };
}
