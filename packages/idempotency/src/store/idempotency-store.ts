/** `in_progress`: an attempt holds the lease. `completed`: the outcome is stored and replayed. */
export type IdempotencyStatus = 'in_progress' | 'completed';

/** What a completed record replays: a return value, or an error declared a business result. */
export type IdempotencyOutcomeKind = 'value' | 'error';

/** A record as stores return it. Times are epoch milliseconds. */
export interface IdempotencyRecord {
  /** The stored key: scope and caller key combined, length-prefixed (`<scope length>:<scope>:<key>`). */
  readonly key: string;
  readonly status: IdempotencyStatus;
  /** SHA-256 (hex) of the canonical JSON of the fingerprinted input. */
  readonly fingerprint: string;
  /** Token of the attempt that holds (or held) the lease; completion and release must present it. */
  readonly leaseToken: string;
  /** When the in-progress lease ends; after it another attempt with the same fingerprint may take over. */
  readonly leaseExpiresAt: number;
  /** When the record stops counting (TTL); after it the key runs again. */
  readonly expiresAt: number;
  /** Set on completed records. */
  readonly outcome?: IdempotencyOutcomeKind;
  /** Serialized outcome, set on completed records. */
  readonly result?: string;
}

/** Input of {@link IdempotencyStore.acquire}. Times are epoch milliseconds from the caller's clock. */
export interface AcquireRequest {
  readonly key: string;
  readonly fingerprint: string;
  readonly leaseToken: string;
  readonly leaseExpiresAt: number;
  readonly expiresAt: number;
  /** The caller's "now": records with `expiresAt <= now` are gone; leases with `leaseExpiresAt <= now` are over. */
  readonly now: number;
}

/** Result of {@link IdempotencyStore.acquire}: this attempt holds the lease, or the record that blocked it. */
export type AcquireResult =
  | { readonly acquired: true }
  | { readonly acquired: false; readonly existing: IdempotencyRecord };

/** Input of {@link IdempotencyStore.complete}. */
export interface CompleteRequest {
  readonly key: string;
  readonly leaseToken: string;
  readonly outcome: IdempotencyOutcomeKind;
  readonly result: string;
  readonly expiresAt: number;
  /**
   * The fingerprint the lease was acquired with (`withIdempotency` and the other wrappers always
   * pass it). With it and `leaseExpiresAt`, a store may write the completed record whole instead of
   * updating it in place (DynamoDB: one conditional `PutItem`, cheaper for the server than an
   * `UpdateItem`). A different fingerprint under the same lease token is refused with
   * `IdempotencyInputError` and changes nothing.
   */
  readonly fingerprint?: string;
  /** The lease end the attempt was acquired with, epoch milliseconds. Passed with `fingerprint`. */
  readonly leaseExpiresAt?: number;
}

/** Input of {@link IdempotencyStore.release}. */
export interface ReleaseRequest {
  readonly key: string;
  readonly leaseToken: string;
}

/**
 * Where idempotency records live. Every implementation passes the same contract suite:
 * - `acquire` is atomic: of many concurrent calls with one key, exactly one gets `acquired: true`.
 *   It also takes over a record whose TTL ended, or an in-progress record whose lease ended and
 *   whose fingerprint matches.
 * - `complete` stores the outcome only if `leaseToken` still holds the in-progress record, else it
 *   throws `IdempotencyLeaseLostError` and changes nothing; given a `fingerprint` other than the
 *   record's, it throws `IdempotencyInputError` and changes nothing.
 * - `release` deletes the record only if `leaseToken` still holds it in progress (returns whether it
 *   did): a duplicate can never erase the owner's record.
 */
export interface IdempotencyStore {
  /** Claims the key for this attempt, or returns the record that holds it. */
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /** Stores the outcome if the lease token still holds the record; else throws `IdempotencyLeaseLostError`. */
  complete(request: CompleteRequest): Promise<void>;
  /** Deletes the in-progress record if the lease token still holds it; returns whether it did. */
  release(request: ReleaseRequest): Promise<boolean>;
}
