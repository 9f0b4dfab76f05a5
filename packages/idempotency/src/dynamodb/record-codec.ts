import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { IdempotencyRecordError } from '../errors.js';
import type { IdempotencyRecord } from '../store/idempotency-store.js';

/** Attribute names of an idempotency item. `status` is a DynamoDB reserved word: always use `#status`. */
export const ATTR = {
  key: 'pk',
  status: 'status',
  fingerprint: 'fingerprint',
  leaseToken: 'leaseToken',
  leaseExpiresAt: 'leaseExpiresAt',
  expiresAtMs: 'expiresAtMs',
  ttl: 'expiresAt',
  outcome: 'outcome',
  result: 'result',
} as const;

type Item = Record<string, AttributeValue>;

/** Reads an item back, checking every field; throws {@link IdempotencyRecordError} naming the bad one. */
export function decodeRecord(item: Item): IdempotencyRecord {
  const status = str(item, ATTR.status);
  if (status !== 'in_progress' && status !== 'completed') throw new IdempotencyRecordError(ATTR.status, `is ${status}`);
  const record = {
    key: str(item, ATTR.key),
    status,
    fingerprint: str(item, ATTR.fingerprint),
    leaseToken: str(item, ATTR.leaseToken),
    leaseExpiresAt: num(item, ATTR.leaseExpiresAt),
    expiresAt: num(item, ATTR.expiresAtMs),
  } as const;
  if (status === 'in_progress') return record;
  const outcome = str(item, ATTR.outcome);
  if (outcome !== 'value' && outcome !== 'error') throw new IdempotencyRecordError(ATTR.outcome, `is ${outcome}`);
  return { ...record, outcome, result: str(item, ATTR.result) };
}

function str(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new IdempotencyRecordError(name, 'is missing or not a string');
  return value;
}

function num(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (!Number.isSafeInteger(value)) throw new IdempotencyRecordError(name, 'is missing or not an integer');
  return value;
}

// Names of a completed item plus its fixed-size values: `completed`, an outcome (`value` or
// `error`) and three numbers at their worst case.
const COMPLETED_FIXED_BYTES =
  Object.values(ATTR).reduce((sum, name) => sum + Buffer.byteLength(name), 0) + 'completed'.length + 5 + 3 * 21;

// The longest fingerprint a store accepts (a SHA-256 hex one is 64): the bound when it is not given.
const MAX_FINGERPRINT_BYTES = 256;

/**
 * Bytes DynamoDB counts for the item a completion leaves (key, status, fingerprint, lease fields,
 * expiry, outcome, result): attribute names plus UTF-8 values, numbers at their worst case (21
 * bytes), the fingerprint at its longest when the request does not carry it. An upper bound, so a
 * completion that passes this check fits. Computed without building it.
 */
export function completedItemBytes(request: {
  readonly key: string;
  readonly leaseToken: string;
  readonly result: string;
  readonly fingerprint?: string | undefined;
}): number {
  const fingerprintBytes =
    request.fingerprint === undefined ? MAX_FINGERPRINT_BYTES : Buffer.byteLength(request.fingerprint);
  return (
    COMPLETED_FIXED_BYTES +
    fingerprintBytes +
    Buffer.byteLength(request.key) +
    Buffer.byteLength(request.leaseToken) +
    Buffer.byteLength(request.result)
  );
}
