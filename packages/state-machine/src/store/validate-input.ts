import { InvalidInputError } from '../errors.js';
import type { JsonValue } from './types.js';

const MAX_TEXT = 200;
const MAX_REASON = 2000;

/** A non-empty string of at most `max` characters, or an `InvalidInputError` naming `field`. */
export function requireText(field: string, value: unknown, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new InvalidInputError(field, 'must be a non-empty string');
  }
  if (value.length > max) throw new InvalidInputError(field, `must be at most ${max} characters`);
  return value;
}

/** An optional reason: `null` when absent. */
export function optionalReason(value: unknown): string | null {
  return value === undefined ? null : requireText('reason', value, MAX_REASON);
}

/** A required reason (manual repair). */
export function requireReason(value: unknown): string {
  return requireText('reason', value, MAX_REASON);
}

/** `undefined`, or a non-negative safe integer. */
export function optionalVersion(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError('expectedVersion', `must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** The payload as JSON text for a jsonb parameter (`null` when absent); rejects what JSON cannot hold. */
export function payloadJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, inner: unknown) => {
      if (typeof inner === 'number' && !Number.isFinite(inner)) throw new TypeError('non-finite number');
      if (typeof inner === 'function' || typeof inner === 'symbol' || typeof inner === 'bigint') {
        throw new TypeError(`a ${typeof inner} is not JSON`);
      }
      return inner;
    });
  } catch (error) {
    throw new InvalidInputError('payload', `must be JSON-serializable (${(error as Error).message})`);
  }
  if (text === undefined) throw new InvalidInputError('payload', 'must be JSON-serializable');
  return text;
}

/** Narrows a payload read back from jsonb. */
export function asJson(value: unknown): JsonValue | null {
  return value === undefined ? null : (value as JsonValue | null);
}
