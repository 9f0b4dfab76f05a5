import { randomUUID } from 'node:crypto';
import { boundedText, storedTextProblem } from '@checkout/core';
import {
  IdempotencyConfigError,
  IdempotencyInProgressError,
  IdempotencyKeyReuseError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
} from '../errors.js';
import type { AcquireRequest, CompleteRequest, IdempotencyRecord } from '../store/idempotency-store.js';
import { idempotencySpanEvent } from '../tracing/span-event.js';
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
  const now = policy.now();
  if (!Number.isSafeInteger(now)) {
    throw new IdempotencyConfigError(['now'], `must return integer epoch milliseconds, got ${String(now)}`);
  }
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
  if (record.fingerprint !== attempt.fingerprint) {
    idempotencySpanEvent('key_reuse');
    throw new IdempotencyKeyReuseError();
  }
  if (record.status === 'in_progress') {
    idempotencySpanEvent('in_progress');
    throw new IdempotencyInProgressError(Math.max(1, Math.ceil((record.leaseExpiresAt - attempt.now) / 1000)));
  }
  if (record.result === undefined) throw new IdempotencyRecordError('result', 'is missing on a completed record');
  if (record.outcome === 'error') {
    const remembered = parseRemembered(record.result);
    idempotencySpanEvent('replayed', 'error');
    const lost = resultLostError(remembered);
    if (lost !== undefined) throw lost;
    throw policy.reviveError(remembered);
  }
  const value = policy.serializer.deserialize(record.result);
  idempotencySpanEvent('replayed', 'value');
  return { value, replayed: true };
}

/**
 * The completion of a successful call; `value` is what the caller gets (the stored form, read back).
 * Throws {@link IdempotencyResultUnserializableError} when the result cannot be stored: the
 * serializer throws, its text is not what the store would keep, or it does not read back.
 */
export function completeWithValue<R>(
  policy: IdempotencyPolicy<R>,
  attempt: AcquireRequest,
  value: R,
): { request: CompleteRequest; value: R } {
  const result = unserializableOnError('the serializer threw', () => policy.serializer.serialize(value));
  if (typeof result !== 'string') {
    throw new IdempotencyResultUnserializableError(`the serializer returned a ${typeof result}, not a string`);
  }
  const unstorable = storedTextProblem(result);
  if (unstorable !== undefined) throw new IdempotencyResultUnserializableError(`the serialized result ${unstorable}`);
  // The first caller gets the same shape every replay will get (e.g. a Date becomes its JSON string).
  const stored = unserializableOnError('the serialized result does not deserialize', () =>
    policy.serializer.deserialize(result),
  );
  idempotencySpanEvent('executed', 'value');
  return {
    request: completion(policy, attempt, 'value', result),
    value: stored,
  };
}

/** Why `fn`'s result was not stored although `fn` ran: the key is kept with a "result lost" mark. */
export type ResultLostError = IdempotencyResultUnserializableError | IdempotencyResultTooLargeError;

/**
 * The completion that keeps a key whose result could not be stored (unserializable, or too large
 * for the store): replays throw the same typed error instead of running `fn` again. Stored as a
 * small remembered error of our own (the record format has only `value` and `error` outcomes).
 */
export function completeAsResultLost(
  policy: Clocked,
  attempt: AcquireRequest,
  error: ResultLostError,
): CompleteRequest {
  idempotencySpanEvent('executed', 'result-lost');
  const marker: RememberedError =
    error instanceof IdempotencyResultTooLargeError
      ? {
          name: TOO_LARGE_MARKER,
          message: 'result lost',
          properties: { code: error.code, bytes: error.bytes, limitBytes: error.limitBytes },
        }
      : { name: UNSERIALIZABLE_MARKER, message: boundedText(error.reason, 500), properties: { code: error.code } };
  return completion(policy, attempt, 'error', JSON.stringify(marker));
}

const UNSERIALIZABLE_MARKER = 'IdempotencyResultUnserializableError';
const TOO_LARGE_MARKER = 'IdempotencyResultTooLargeError';

// The replayed error of a "result lost" mark, or undefined for a remembered business error.
function resultLostError(remembered: RememberedError): ResultLostError | undefined {
  const { code, bytes, limitBytes } = remembered.properties;
  if (remembered.name === UNSERIALIZABLE_MARKER && code === 'IDEMPOTENCY_RESULT_UNSERIALIZABLE') {
    return new IdempotencyResultUnserializableError(remembered.message, { replayed: true });
  }
  if (remembered.name === TOO_LARGE_MARKER && code === 'IDEMPOTENCY_RESULT_TOO_LARGE') {
    if (!isByteCount(bytes) || !isByteCount(limitBytes)) {
      throw new IdempotencyRecordError('result', 'is a "result too large" mark without its sizes');
    }
    return new IdempotencyResultTooLargeError(bytes, limitBytes, { replayed: true });
  }
  return undefined;
}

function isByteCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function unserializableOnError<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof IdempotencyResultUnserializableError) throw error;
    // The name only: the message may quote the result, and the reason is stored with the record.
    const name = error instanceof Error ? error.name : typeof error;
    throw new IdempotencyResultUnserializableError(`${what} (${boundedText(name, 60)})`, { cause: error });
  }
}

/** The completion of a call that threw an error `rememberErrors` accepted. */
export function completeWithError(policy: Clocked, attempt: AcquireRequest, error: unknown): CompleteRequest {
  idempotencySpanEvent('executed', 'error');
  return completion(policy, attempt, 'error', JSON.stringify(rememberError(error)));
}

type Clocked = Pick<IdempotencyPolicy<unknown>, 'now' | 'ttlMs'>;

// Every completion carries the attempt's fingerprint and lease end, so a store can write the
// completed record whole (DynamoDB: a conditional PutItem rather than an UpdateItem).
function completion(
  policy: Clocked,
  attempt: AcquireRequest,
  outcome: CompleteRequest['outcome'],
  result: string,
): CompleteRequest {
  return {
    key: attempt.key,
    leaseToken: attempt.leaseToken,
    outcome,
    result,
    expiresAt: expiry(policy),
    fingerprint: attempt.fingerprint,
    leaseExpiresAt: attempt.leaseExpiresAt,
  };
}

// The TTL counts from completion, so a slow call still gets its full replay window.
function expiry(policy: Clocked): number {
  return policy.now() + policy.ttlMs;
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
