import { randomUUID } from 'node:crypto';
import { IdempotencyInProgressError, IdempotencyKeyReuseError, IdempotencyRecordError } from '../errors.js';
import type { AcquireRequest, CompleteRequest, IdempotencyRecord } from '../store/idempotency-store.js';
import { fingerprintOf } from './fingerprint.js';
import { storedKeyOf, validateKeyPart } from './key.js';
import type { IdempotencyPolicy } from './policy.js';
import { type RememberedError, rememberError } from './serializer.js';

/** What an idempotent call returns: the value, and whether it was replayed from the store. */
export interface IdempotentResult<R> {
  readonly value: R;
  /** `true` when the value came from a stored record and the function did not run. */
  readonly replayed: boolean;
}

/** One attempt at a key: validated key, fingerprint, fresh lease token and times. */
export function startAttempt(
  policy: Clocked,
  input: { scope: unknown; key: unknown; payload: unknown; leaseMs: number },
): AcquireRequest {
  const scope = validateKeyPart('scope', input.scope);
  const key = validateKeyPart('key', input.key);
  const fingerprint = fingerprintOf(input.payload);
  const now = policy.clock();
  return {
    key: storedKeyOf(scope, key),
    fingerprint,
    leaseToken: randomUUID(),
    now,
    leaseExpiresAt: now + input.leaseMs,
    expiresAt: now + Math.max(policy.ttlMs, input.leaseMs),
  };
}

/**
 * The answer for a key another attempt holds: the replayed value, or the typed error
 * (mismatch 422, in progress 409, remembered business error as it was thrown).
 */
export function settleExisting<R>(
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  record: IdempotencyRecord,
): IdempotentResult<R> {
  if (record.fingerprint !== attempt.fingerprint) throw new IdempotencyKeyReuseError();
  if (record.status === 'in_progress') {
    throw new IdempotencyInProgressError(Math.max(1, Math.ceil((record.leaseExpiresAt - attempt.now) / 1000)));
  }
  if (record.result === undefined) throw new IdempotencyRecordError('result', 'is missing on a completed record');
  if (record.outcome === 'error') throw policy.reviveError(parseRemembered(record.result));
  return { value: policy.serializer.deserialize(record.result), replayed: true };
}

/** The completion of a successful call; `value` is what the caller gets (the stored form, read back). */
export function completeWithValue<R>(
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  value: R,
): { request: CompleteRequest; value: R } {
  const result = policy.serializer.serialize(value);
  return {
    request: { key: attempt.key, leaseToken: attempt.leaseToken, outcome: 'value', result, expiresAt: expiry(policy) },
    // The first caller gets the same shape every replay will get (e.g. a Date becomes its JSON string).
    value: policy.serializer.deserialize(result),
  };
}

/** The completion of a call that threw an error `rememberErrors` accepted. */
export function completeWithError(policy: Clocked, attempt: AcquireRequest, error: unknown): CompleteRequest {
  return {
    key: attempt.key,
    leaseToken: attempt.leaseToken,
    outcome: 'error',
    result: JSON.stringify(rememberError(error)),
    expiresAt: expiry(policy),
  };
}

type Clocked = Pick<IdempotencyPolicy<unknown>, 'clock' | 'ttlMs'>;

// The TTL counts from completion, so a slow call still gets its full replay window.
function expiry(policy: Clocked): number {
  return policy.clock() + policy.ttlMs;
}

function parseRemembered(text: string): RememberedError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IdempotencyRecordError('result', 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new IdempotencyRecordError('result', 'is not an object');
  const { name, message, properties } = parsed as Record<string, unknown>;
  if (
    typeof name !== 'string' ||
    typeof message !== 'string' ||
    typeof properties !== 'object' ||
    properties === null
  ) {
    throw new IdempotencyRecordError('result', 'is not a remembered error');
  }
  return { name, message, properties: properties as Record<string, unknown> };
}
