import { storedTextProblem } from '@checkout/core';
import { validateStoredKey } from '../core/key.js';
import { IdempotencyInputError, IdempotencyResultUnserializableError } from '../errors.js';
import type { AcquireRequest, CompleteRequest, ReleaseRequest } from './idempotency-store.js';

// Every store checks its input before it talks to its backend: a key DynamoDB or Postgres would
// store as another key (unpaired surrogate) is refused with the typed 400, text Postgres cannot
// hold never reaches SQL (so our statement never aborts the caller's transaction), and nothing is
// written. The memory store runs the same checks so unit tests see what production sees.

/** Checks an {@link AcquireRequest}; throws `IdempotencyKeyError` (key) or `IdempotencyInputError` (other fields). */
export function checkAcquireRequest(request: AcquireRequest): void {
  validateStoredKey(request?.key);
  checkToken('fingerprint', request.fingerprint);
  checkToken('leaseToken', request.leaseToken);
  checkEpochMs('now', request.now);
  checkEpochMs('leaseExpiresAt', request.leaseExpiresAt);
  checkEpochMs('expiresAt', request.expiresAt);
}

/** Checks a {@link CompleteRequest}; an unstorable `result` throws `IdempotencyResultUnserializableError`. */
export function checkCompleteRequest(request: CompleteRequest): void {
  validateStoredKey(request?.key);
  checkToken('leaseToken', request.leaseToken);
  if (request.outcome !== 'value' && request.outcome !== 'error') {
    throw new IdempotencyInputError(['request', 'outcome'], "must be 'value' or 'error'");
  }
  if (typeof request.result !== 'string') {
    throw new IdempotencyResultUnserializableError(`the result is a ${typeof request.result}, not a string`);
  }
  const unstorable = storedTextProblem(request.result);
  if (unstorable !== undefined) throw new IdempotencyResultUnserializableError(`the serialized result ${unstorable}`);
  checkEpochMs('expiresAt', request.expiresAt);
  if (request.fingerprint !== undefined) checkToken('fingerprint', request.fingerprint);
  if (request.leaseExpiresAt !== undefined) checkEpochMs('leaseExpiresAt', request.leaseExpiresAt);
}

/**
 * The error of a completion whose `fingerprint` is not the one its lease was acquired with: every
 * store refuses it this way, before or instead of writing anything.
 */
export function otherFingerprintError(): IdempotencyInputError {
  return new IdempotencyInputError(['request', 'fingerprint'], 'is not the one this lease was acquired with');
}

/** Checks a {@link ReleaseRequest}. */
export function checkReleaseRequest(request: ReleaseRequest): void {
  validateStoredKey(request?.key);
  checkToken('leaseToken', request.leaseToken);
}

function checkToken(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new IdempotencyInputError(['request', field], 'must be a non-empty string of at most 256 characters');
  }
  const unstorable = storedTextProblem(value);
  if (unstorable !== undefined) throw new IdempotencyInputError(['request', field], unstorable);
}

function checkEpochMs(field: string, value: unknown): void {
  if (!Number.isSafeInteger(value)) {
    throw new IdempotencyInputError(['request', field], 'must be an integer number of epoch milliseconds');
  }
}
