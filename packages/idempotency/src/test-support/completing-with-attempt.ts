import type { AcquireRequest, IdempotencyStore } from '../store/idempotency-store.js';

/**
 * `store` whose `complete` carries the fingerprint and lease end of the attempt that acquired the
 * lease token, as every wrapper sends them: the store contract and model, which call `complete` by
 * hand without them, then run through a store's whole-record completion (DynamoDB's PutItem).
 * Tokens this wrapper never saw acquired (made up by a test), and completions that already carry
 * either field, pass through unchanged.
 */
export function completingWithAttempt(store: IdempotencyStore): IdempotencyStore {
  const attempts = new Map<string, AcquireRequest>();
  return {
    acquire: (request) => {
      if (typeof request?.leaseToken === 'string') attempts.set(request.leaseToken, request);
      return store.acquire(request);
    },
    release: (request) => store.release(request),
    complete: (request) => {
      const attempt = attempts.get(request?.leaseToken);
      return store.complete(
        attempt === undefined ||
          attempt.key !== request.key ||
          request.fingerprint !== undefined ||
          request.leaseExpiresAt !== undefined
          ? request
          : { ...request, fingerprint: attempt.fingerprint, leaseExpiresAt: attempt.leaseExpiresAt },
      );
    },
  };
}
