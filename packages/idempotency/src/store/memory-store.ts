import { IdempotencyLeaseLostError } from '../errors.js';
import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  IdempotencyRecord,
  IdempotencyStore,
  ReleaseRequest,
} from './idempotency-store.js';
import { checkAcquireRequest, checkCompleteRequest, checkReleaseRequest } from './store-request.js';

/**
 * An in-process store for unit tests of your own code (and single-process tools). Each instance
 * has its own map; nothing is shared between instances or across processes.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, IdempotencyRecord>();

  /** {@inheritDoc IdempotencyStore.acquire} */
  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    checkAcquireRequest(request);
    const existing = this.#records.get(request.key);
    if (existing !== undefined && !canTakeOver(existing, request)) {
      return { acquired: false, existing };
    }
    this.#records.set(request.key, {
      key: request.key,
      status: 'in_progress',
      fingerprint: request.fingerprint,
      leaseToken: request.leaseToken,
      leaseExpiresAt: request.leaseExpiresAt,
      expiresAt: request.expiresAt,
    });
    return { acquired: true };
  }

  /** {@inheritDoc IdempotencyStore.complete} */
  async complete(request: CompleteRequest): Promise<void> {
    checkCompleteRequest(request);
    const existing = this.#records.get(request.key);
    if (existing === undefined || existing.status !== 'in_progress' || existing.leaseToken !== request.leaseToken) {
      throw new IdempotencyLeaseLostError();
    }
    this.#records.set(request.key, {
      ...existing,
      status: 'completed',
      outcome: request.outcome,
      result: request.result,
      expiresAt: request.expiresAt,
    });
  }

  /** {@inheritDoc IdempotencyStore.release} */
  async release(request: ReleaseRequest): Promise<boolean> {
    checkReleaseRequest(request);
    const existing = this.#records.get(request.key);
    if (existing === undefined || existing.status !== 'in_progress' || existing.leaseToken !== request.leaseToken) {
      return false;
    }
    this.#records.delete(request.key);
    return true;
  }

  /** The number of records held (expired ones included until overwritten or cleared). */
  get size(): number {
    return this.#records.size;
  }

  /** Forgets every record. */
  clear(): void {
    this.#records.clear();
  }
}

function canTakeOver(existing: IdempotencyRecord, request: AcquireRequest): boolean {
  if (existing.expiresAt <= request.now) return true;
  return (
    existing.status === 'in_progress' &&
    existing.leaseExpiresAt <= request.now &&
    existing.fingerprint === request.fingerprint
  );
}
