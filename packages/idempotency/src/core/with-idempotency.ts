import type { LambdaContextLike } from '@checkout/core';
import {
  IdempotencyConfigError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
} from '../errors.js';
import type { AcquireRequest, CompleteRequest, IdempotencyStore } from '../store/idempotency-store.js';
import {
  completeAsResultLost,
  completeWithError,
  completeWithValue,
  type IdempotentResult,
  type ResultLostError,
  settleExisting,
  startAttempt,
} from './attempt.js';
import { DEFAULT_LEASE_MS, leaseMsFor } from './lease.js';
import { type IdempotencyPolicy, type IdempotencyPolicyOptions, resolvePolicy, wholeMs } from './policy.js';

/** Options of {@link withIdempotency}. `A` are the wrapped function's arguments, `R` its result. */
export interface WithIdempotencyOptions<A extends readonly unknown[], R> extends IdempotencyPolicyOptions<R> {
  /** Where records live. A store holds no configuration: every wrapped function brings its own options. */
  readonly store: IdempotencyStore;
  /**
   * Who and what the key belongs to, e.g. `` (event) => `${event.tenantId}:checkout` ``. Part of the
   * stored key, so caller B can never read caller A's result by sending A's key.
   */
  readonly scope: string | ((...args: A) => string);
  /** Reads the caller's idempotency key from the arguments (e.g. the `Idempotency-Key` header). Omit it to pass keys with `.withKey(key, ...args)`. */
  readonly key?: (...args: A) => string | undefined;
  /** The part of the input that must match on a replay. Default: the first argument, whole (canonical JSON, SHA-256). */
  readonly fingerprint?: (...args: A) => unknown;
  /** In-progress lease when no Lambda context is given, in milliseconds. Default 60 000 (`DEFAULT_LEASE_MS`). */
  readonly inProgressLeaseMs?: number;
  /** Finds the Lambda context in the arguments; the lease then ends when the invocation would time out. */
  readonly lambdaContext?: (...args: A) => LambdaContextLike | undefined;
}

/** The wrapped function: same signature as the original, plus variants that report replays. */
export interface IdempotentFunction<A extends readonly unknown[], R> {
  (...args: A): Promise<R>;
  /** Like calling it, and says whether the value was replayed (for an `Idempotent-Replayed` header). */
  withResult(...args: A): Promise<IdempotentResult<R>>;
  /** Uses `key` instead of `options.key` (keys given per call). */
  withKey(key: string, ...args: A): Promise<IdempotentResult<R>>;
}

/**
 * Makes `fn` idempotent per (scope, key): the first call runs it once and stores the result; a
 * retry with the same key and fingerprint gets the stored result without running it; a retry while
 * it runs gets `IdempotencyInProgressError` (409), a different payload `IdempotencyKeyReuseError`
 * (422), a bad key `IdempotencyKeyError` (400). If `fn` throws, the key is released (unless
 * `rememberErrors` says the error is a business result) and the error is rethrown. Options are
 * checked here (`IdempotencyConfigError` naming the option).
 *
 * @example
 * ```ts
 * import { toHttpResponse } from '@checkout/core';
 * import { createMemoryIdempotencyStore, replayHeaders, withIdempotency } from '@checkout/idempotency';
 *
 * const placeOrder = withIdempotency(
 *   async (request: { tenantId: string; key: string; cart: unknown }) => ({ orderId: crypto.randomUUID() }),
 *   {
 *     store: createMemoryIdempotencyStore(),
 *     scope: (request) => `${request.tenantId}:checkout`,
 *     key: (request) => request.key,
 *     fingerprint: (request) => request.cart,
 *     inProgressLeaseMs: 30_000,
 *   },
 * );
 * try {
 *   const result = await placeOrder.withResult({ tenantId: 't-1', key: 'k-1', cart: { sku: 1 } });
 *   console.log(201, replayHeaders(result), result.value);
 * } catch (error) {
 *   const answer = toHttpResponse(error); // 409 + Retry-After, 422, 400
 *   if (answer === undefined) throw error;
 * }
 * ```
 */
export function withIdempotency<A extends readonly unknown[], R>(
  fn: (...args: A) => Promise<R> | R,
  options: WithIdempotencyOptions<A, R>,
): IdempotentFunction<A, R> {
  const policy = resolvePolicy(options);
  const leaseMs = wholeMs('inProgressLeaseMs', options.inProgressLeaseMs ?? DEFAULT_LEASE_MS);
  if (typeof options.store?.acquire !== 'function') {
    throw new IdempotencyConfigError(['store'], 'is not an IdempotencyStore');
  }
  if (typeof options.scope !== 'string' && typeof options.scope !== 'function') {
    throw new IdempotencyConfigError(['scope'], 'must be a string or a function of the arguments');
  }
  for (const name of ['key', 'fingerprint', 'lambdaContext'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new IdempotencyConfigError([name], 'must be a function of the arguments');
    }
  }
  const { store, scope, key: keyOf, fingerprint, lambdaContext } = options;

  const run = async (key: unknown, args: A): Promise<IdempotentResult<R>> => {
    const attempt = startAttempt(policy, {
      scope: typeof scope === 'function' ? scope(...args) : scope,
      key,
      payload: fingerprint === undefined ? args[0] : fingerprint(...args),
      leaseMs: leaseMsFor(leaseMs, lambdaContext?.(...args)),
    });
    return runAttempt(store, policy, attempt, () => fn(...args));
  };
  // async, so a throwing `key` function rejects like every other failure instead of throwing.
  const withResult = async (...args: A) => run(keyOf === undefined ? undefined : keyOf(...args), args);
  const idempotent = async (...args: A): Promise<R> => (await withResult(...args)).value;
  return Object.assign(idempotent, {
    withResult,
    withKey: (key: string, ...args: A) => run(key, args),
  });
}

/** Acquire, run, complete or release: the life of one attempt on an `IdempotencyStore`. */
export async function runAttempt<R>(
  store: IdempotencyStore,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  fn: () => Promise<R> | R,
): Promise<IdempotentResult<R>> {
  const acquired = await store.acquire(attempt);
  if (!acquired.acquired) return settleExisting(policy, attempt, acquired.existing);

  let value: R;
  try {
    value = await fn();
  } catch (error) {
    if (policy.rememberErrors(error)) {
      await rememberQuietly(store, policy, attempt, error);
    } else {
      await releaseQuietly(store, attempt);
    }
    throw error;
  }
  // fn's side effects happened: from here on the key is never released for a result that cannot
  // be stored (unserializable, or too large for the store), or the retry would run fn a second time.
  return { value: await completeAttempt(store, policy, attempt, value), replayed: false };
}

/**
 * Stores `value` as the result of the held `attempt` and returns it as stored (what replays get). A
 * result that cannot be stored (unserializable, or too large for the store) is kept as "result lost"
 * instead of releasing the key, because the handler's side effects already happened and a retry must
 * not run it again; the error is then rethrown. Used by `withIdempotency` and the Middy middleware.
 */
export async function completeAttempt<R>(
  store: IdempotencyStore,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  value: R,
): Promise<R> {
  let completion: { request: CompleteRequest; value: R };
  try {
    completion = completeWithValue(policy, attempt, value);
  } catch (error) {
    if (error instanceof IdempotencyResultUnserializableError) await keepAsResultLost(store, policy, attempt, error);
    throw error;
  }
  try {
    await store.complete(completion.request);
  } catch (error) {
    if (error instanceof IdempotencyResultTooLargeError || error instanceof IdempotencyResultUnserializableError) {
      await keepAsResultLost(store, policy, attempt, error);
    }
    throw error;
  }
  return completion.value;
}

// The caller must see the result-lost error. If storing the small mark fails too (lease lost,
// store down), the record stays in progress: nothing is released, so only the lease expiry lets
// another attempt run.
export async function keepAsResultLost<R>(
  store: IdempotencyStore,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  error: ResultLostError,
): Promise<void> {
  try {
    await store.complete(completeAsResultLost(policy, attempt, error));
  } catch {
    // bounded by leaseExpiresAt
  }
}

// The caller must see fn's own error (the decline happened, whatever the store says). If storing
// it fails (lease lost, store down), a retry after the lease runs fn again.
export async function rememberQuietly<R>(
  store: IdempotencyStore,
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  error: unknown,
): Promise<void> {
  try {
    await store.complete(completeWithError(policy, attempt, error));
  } catch {
    await releaseQuietly(store, attempt);
  }
}

// The caller must see fn's own error. If the release fails too, the lease expiry frees the key.
export async function releaseQuietly(store: IdempotencyStore, attempt: AcquireRequest): Promise<void> {
  try {
    await store.release({ key: attempt.key, leaseToken: attempt.leaseToken });
  } catch {
    // bounded by leaseExpiresAt: a retry after the lease takes the key over
  }
}
