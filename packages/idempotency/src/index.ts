export type { IdempotentResult } from './core/attempt.js';
export { MAX_KEY_BYTES, MAX_KEY_LENGTH } from './core/key.js';
export { DEFAULT_LEASE_SECONDS, type LambdaContextLike } from './core/lambda-context.js';
export { type OnceOptions, once } from './core/once.js';
export { DEFAULT_TTL_SECONDS, type IdempotencyPolicyOptions } from './core/policy.js';
export type { IdempotencySerializer, RememberedError } from './core/serializer.js';
export { type IdempotentFunction, type WithIdempotencyOptions, withIdempotency } from './core/with-idempotency.js';
export {
  IdempotencyError,
  type IdempotencyErrorCode,
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyKeyReuseError,
  IdempotencyLeaseLostError,
  IdempotencyOptionsError,
  IdempotencyPayloadError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
} from './errors.js';
export {
  IDEMPOTENT_REPLAYED_HEADER,
  type IdempotencyHttpResponse,
  idempotencyErrorResponse,
  replayHeaders,
} from './http/http-response.js';
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
export { MemoryIdempotencyStore } from './store/memory-store.js';
