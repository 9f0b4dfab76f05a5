import { IdempotencyKeyError } from '../errors.js';

/** Longest accepted key or scope, in characters. */
export const MAX_KEY_LENGTH = 255;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Throws {@link IdempotencyKeyError} unless `value` is a non-empty string of at most 255 characters without control characters. */
export function validateKeyPart(field: 'key' | 'scope', value: unknown): string {
  if (typeof value !== 'string') throw new IdempotencyKeyError(field, `expected a string, got ${typeOf(value)}`);
  if (value.length === 0) throw new IdempotencyKeyError(field, 'must not be empty');
  if (value.length > MAX_KEY_LENGTH) {
    throw new IdempotencyKeyError(field, `must be at most ${MAX_KEY_LENGTH} characters, got ${value.length}`);
  }
  if (CONTROL_CHARACTERS.test(value)) throw new IdempotencyKeyError(field, 'must not contain control characters');
  return value;
}

/**
 * The key a store sees: scope and caller key, length-prefixed so no two (scope, key) pairs collide
 * (`a:b` + `c` never equals `a` + `b:c`).
 */
export function storedKeyOf(scope: string, key: string): string {
  return `${scope.length}:${scope}:${key}`;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
