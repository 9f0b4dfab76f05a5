import { storedTextProblem } from '@checkout/core';
import { IdempotencyKeyError } from '../errors.js';

/** Longest accepted key or scope, in UTF-8 bytes (what DynamoDB and Postgres store and index). */
export const MAX_KEY_BYTES = 255;

/** Longest stored key a store accepts, in UTF-8 bytes: a scope and a key of 255 bytes each plus the length prefix fit. */
export const MAX_STORED_KEY_BYTES = 1024;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Throws {@link IdempotencyKeyError} unless `value` is a non-empty, well-formed string of at most
 * 255 UTF-8 bytes without U+0000 or other control characters.
 */
export function validateKeyPart(field: 'key' | 'scope', value: unknown): string {
  return checkKeyText(field, value, MAX_KEY_BYTES);
}

/** The same rules for a stored key (`<scope length>:<scope>:<key>`) at a store's entry points. */
export function validateStoredKey(value: unknown): string {
  return checkKeyText('key', value, MAX_STORED_KEY_BYTES);
}

function checkKeyText(field: 'key' | 'scope', value: unknown, maxBytes: number): string {
  if (typeof value !== 'string') throw new IdempotencyKeyError(field, `expected a string, got ${typeOf(value)}`);
  if (value.length === 0) throw new IdempotencyKeyError(field, 'must not be empty');
  if (CONTROL_CHARACTERS.test(value)) throw new IdempotencyKeyError(field, 'must not contain control characters');
  // Checked before the size: an ill-formed string has no UTF-8 byte count of its own.
  const unstorable = storedTextProblem(value);
  if (unstorable !== undefined) {
    throw new IdempotencyKeyError(field, `${unstorable} (DynamoDB and Postgres would not keep such keys apart)`);
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) throw new IdempotencyKeyError(field, `must be at most ${maxBytes} UTF-8 bytes, got ${bytes}`);
  return value;
}

/**
 * The key a store sees: scope and caller key, length-prefixed so no two (scope, key) pairs collide
 * (`a:b` + `c` never equals `a` + `b:c`). The prefix counts UTF-16 units; scope and key are
 * well-formed, so the stored UTF-8 text is as unique as the JS string.
 */
export function storedKeyOf(scope: string, key: string): string {
  return `${scope.length}:${scope}:${key}`;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
