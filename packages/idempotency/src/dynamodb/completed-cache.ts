import { IdempotencyConfigError } from '../errors.js';
import type { AcquireRequest, CompleteRequest, IdempotencyRecord } from '../store/idempotency-store.js';

/**
 * The opt-in in-process cache of completed records of {@link createDynamoDbIdempotencyStore}: a
 * replay of a record this process completed (or already read back) is answered without a DynamoDB
 * call. Bounded by entries and by bytes, least recently used first out.
 */
export interface IdempotencyLocalCacheOptions {
  /** Most completed records kept. Default 256 (Powertools' `maxLocalCacheSize`). */
  readonly maxEntries?: number;
  /**
   * Most bytes kept, counted as 2 bytes per UTF-16 unit of each record's key, fingerprint, lease
   * token and result (what the strings take in memory) plus 64 per record. A record larger than
   * this is not cached. Default 8 MiB.
   */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_ENTRIES = 256;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const RECORD_OVERHEAD_BYTES = 64;

interface Held {
  readonly leaseToken: string;
  readonly fingerprint: string;
  readonly leaseExpiresAt: number;
}

/**
 * Completed records by stored key. A completed record never changes in DynamoDB until its expiry
 * (completion and release need the in-progress lease; a takeover needs the expiry), so a copy
 * answers exactly as the table would for any `now` before `expiresAt`; from `expiresAt` on the copy
 * is dropped and the table decides.
 */
export class CompletedRecordCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #records = new Map<string, { record: IdempotencyRecord; bytes: number }>();
  // Leases this process holds, by key: what a completion needs to cache the whole record. Bounded
  // too (an attempt whose completion and release both failed never removes its entry).
  readonly #held = new Map<string, Held>();
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  /** The cached completed record for the request's key while it lives at `request.now`. */
  get(request: AcquireRequest): IdempotencyRecord | undefined {
    const entry = this.#records.get(request.key);
    if (entry === undefined) return undefined;
    this.#records.delete(request.key);
    if (entry.record.expiresAt <= request.now) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#records.set(request.key, entry); // most recently used last
    return entry.record;
  }

  /** Remembers that this process holds the lease of `request`. */
  held(request: AcquireRequest): void {
    this.#held.delete(request.key);
    this.#held.set(request.key, {
      leaseToken: request.leaseToken,
      fingerprint: request.fingerprint,
      leaseExpiresAt: request.leaseExpiresAt,
    });
    if (this.#held.size > this.#maxEntries * 4) this.#held.delete(this.#held.keys().next().value as string);
  }

  /** Forgets the lease of `leaseToken` on `key` (released, or its completion failed). */
  dropHeld(key: string, leaseToken: string): void {
    if (this.#held.get(key)?.leaseToken === leaseToken) this.#held.delete(key);
  }

  /** Caches the record a successful completion left. */
  completed(request: CompleteRequest): void {
    const held = this.#held.get(request.key);
    if (held === undefined || held.leaseToken !== request.leaseToken) return;
    this.#held.delete(request.key);
    this.put({
      key: request.key,
      status: 'completed',
      fingerprint: held.fingerprint,
      leaseToken: request.leaseToken,
      leaseExpiresAt: held.leaseExpiresAt,
      expiresAt: request.expiresAt,
      outcome: request.outcome,
      result: request.result,
    });
  }

  /** Caches a completed record (others are ignored). */
  put(record: IdempotencyRecord): void {
    if (record.status !== 'completed' || record.result === undefined) return;
    const bytes =
      2 * (record.key.length + record.fingerprint.length + record.leaseToken.length + record.result.length) +
      RECORD_OVERHEAD_BYTES;
    const previous = this.#records.get(record.key);
    if (previous !== undefined) {
      this.#records.delete(record.key);
      this.#bytes -= previous.bytes;
    }
    if (bytes > this.#maxBytes) return;
    this.#records.set(record.key, { record: Object.freeze({ ...record }), bytes });
    this.#bytes += bytes;
    while (this.#records.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const [oldestKey, oldest] = this.#records.entries().next().value as [string, { bytes: number }];
      this.#records.delete(oldestKey);
      this.#bytes -= oldest.bytes;
    }
  }
}

/** The cache the `localCache` option asks for, or undefined; throws `IdempotencyConfigError` naming a bad field. */
export function completedCacheFor(option: unknown): CompletedRecordCache | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return new CompletedRecordCache(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES);
  if (typeof option !== 'object' || option === null) {
    throw new IdempotencyConfigError(['localCache'], 'must be true, false or { maxEntries?, maxBytes? }');
  }
  const { maxEntries = DEFAULT_MAX_ENTRIES, maxBytes = DEFAULT_MAX_BYTES } = option as IdempotencyLocalCacheOptions;
  for (const [name, value] of [
    ['maxEntries', maxEntries],
    ['maxBytes', maxBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new IdempotencyConfigError(['localCache', name], `must be a positive integer, got ${String(value)}`);
    }
  }
  return new CompletedRecordCache(maxEntries, maxBytes);
}
