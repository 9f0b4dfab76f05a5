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

/**
 * Bytes DynamoDB counts for an item: attribute names plus UTF-8 values, numbers at their worst
 * case (21 bytes). An upper bound, so a write that passes this check fits.
 */
export function itemSize(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.N !== undefined) bytes += 21;
    else bytes += Buffer.byteLength(JSON.stringify(value));
  }
  return bytes;
}
