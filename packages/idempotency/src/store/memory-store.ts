import { IdempotencyLeaseLostError } from '../errors.js';
import type { AcquireRequest, IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';
import {
  checkAcquireRequest,
  checkCompleteRequest,
  checkReleaseRequest,
  otherFingerprintError,
} from './store-request.js';

/** An in-process {@link IdempotencyStore} (see {@link createMemoryIdempotencyStore}). */
export interface MemoryIdempotencyStore extends IdempotencyStore {
  /** The number of records held (expired ones included until overwritten or cleared). */
  readonly size: number;
  /** Forgets every record. */
  clear(): void;
}

/**
 * An in-process store for unit tests of your own code (and single-process tools). Each store has
 * its own map; nothing is shared between stores or across processes. It checks every request like
 * the DynamoDB and Postgres stores, so unit tests see what production sees.
 *
 * @example
 * ```ts
 * import { createMemoryIdempotencyStore, withIdempotency } from '@checkout/idempotency';
 *
 * const store = createMemoryIdempotencyStore();
 * const charge = withIdempotency(async (orderId: string) => ({ chargeId: `ch-${orderId}` }), {
 *   store,
 *   scope: 'payments',
 *   key: (orderId) => orderId,
 * });
 * await charge('o-1');
 * await charge('o-1'); // replayed, the function ran once
 * store.size; // 1
 * ```
 */
export function createMemoryIdempotencyStore(): MemoryIdempotencyStore {
  const records = new Map<string, IdempotencyRecord>();
  return {
    async acquire(request) {
      checkAcquireRequest(request);
      const existing = records.get(request.key);
      if (existing !== undefined && !canTakeOver(existing, request)) {
        return { acquired: false, existing };
      }
      records.set(request.key, {
        key: request.key,
        status: 'in_progress',
        fingerprint: request.fingerprint,
        leaseToken: request.leaseToken,
        leaseExpiresAt: request.leaseExpiresAt,
        expiresAt: request.expiresAt,
      });
      return { acquired: true };
    },
    async complete(request) {
      checkCompleteRequest(request);
      const existing = records.get(request.key);
      if (existing === undefined || existing.status !== 'in_progress' || existing.leaseToken !== request.leaseToken) {
        throw new IdempotencyLeaseLostError();
      }
      if (request.fingerprint !== undefined && request.fingerprint !== existing.fingerprint) {
        throw otherFingerprintError();
      }
      records.set(request.key, {
        ...existing,
        status: 'completed',
        outcome: request.outcome,
        result: request.result,
        expiresAt: request.expiresAt,
      });
    },
    async release(request) {
      checkReleaseRequest(request);
      const existing = records.get(request.key);
      if (existing === undefined || existing.status !== 'in_progress' || existing.leaseToken !== request.leaseToken) {
        return false;
      }
      records.delete(request.key);
      return true;
    },
    get size() {
      return records.size;
    },
    clear() {
      records.clear();
    },
  };
}

function canTakeOver(existing: IdempotencyRecord, request: AcquireRequest): boolean {
  if (existing.expiresAt <= request.now) return true;
  return (
    existing.status === 'in_progress' &&
    existing.leaseExpiresAt <= request.now &&
    existing.fingerprint === request.fingerprint
  );
}
