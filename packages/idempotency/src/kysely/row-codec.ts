import { IdempotencyRecordError } from '../errors.js';
import type { IdempotencyRecord } from '../store/idempotency-store.js';

/** A row of the idempotency table as `pg` returns it (`bigint` arrives as a string). */
export interface IdempotencyRow {
  readonly key: unknown;
  readonly status: unknown;
  readonly fingerprint: unknown;
  readonly lease_token: unknown;
  readonly lease_expires_at: unknown;
  readonly expires_at: unknown;
  readonly outcome: unknown;
  readonly result: unknown;
}

/** Checks every field of a row read back; throws {@link IdempotencyRecordError} naming the bad one. */
export function decodeRow(row: IdempotencyRow): IdempotencyRecord {
  const status = row.status;
  if (status !== 'in_progress' && status !== 'completed')
    throw new IdempotencyRecordError('status', `is ${String(status)}`);
  const record = {
    key: text('key', row.key),
    status,
    fingerprint: text('fingerprint', row.fingerprint),
    leaseToken: text('lease_token', row.lease_token),
    leaseExpiresAt: epochMs('lease_expires_at', row.lease_expires_at),
    expiresAt: epochMs('expires_at', row.expires_at),
  } as const;
  if (status === 'in_progress') return record;
  const outcome = row.outcome;
  if (outcome !== 'value' && outcome !== 'error') throw new IdempotencyRecordError('outcome', `is ${String(outcome)}`);
  return { ...record, outcome, result: text('result', row.result) };
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new IdempotencyRecordError(field, 'is not text');
  return value;
}

function epochMs(field: string, value: unknown): number {
  const parsed = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) throw new IdempotencyRecordError(field, 'is not an integer');
  return parsed;
}
