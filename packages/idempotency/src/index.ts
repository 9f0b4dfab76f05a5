export type { IdempotentResult } from './core/attempt.js';
export { MAX_KEY_BYTES } from './core/key.js';
export { DEFAULT_LEASE_MS } from './core/lease.js';
export { type OnceOptions, once } from './core/once.js';
export { DEFAULT_TTL_SECONDS, type IdempotencyPolicyOptions } from './core/policy.js';
export type { IdempotencySerializer, RememberedError } from './core/serializer.js';
export { type IdempotentFunction, type WithIdempotencyOptions, withIdempotency } from './core/with-idempotency.js';
export {
  IdempotencyConfigError,
  IdempotencyError,
  type IdempotencyErrorCode,
  IdempotencyInProgressError,
  IdempotencyInputError,
  IdempotencyKeyError,
  IdempotencyKeyReuseError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
} from './errors.js';
export { IDEMPOTENT_REPLAYED_HEADER, replayHeaders } from './http/replay-headers.js';
export type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  IdempotencyOutcomeKind,
  IdempotencyRecord,
  IdempotencyStatus,
  IdempotencyStore,
  ReleaseRequest,
} from './store/idempotency-store.js';
export { createMemoryIdempotencyStore, type MemoryIdempotencyStore } from './store/memory-store.js';
