import { InvalidOutboxConfigError } from '../errors.js';

// Plain Postgres identifiers only; 48 characters leaves room for the index-name suffixes we append
// (Postgres truncates names at 63 bytes, which could make two indexes collide).
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Returns `value` if it is a plain SQL identifier, else throws naming `field`. It is quoted at every use. */
export function validateIdentifier(field: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new InvalidOutboxConfigError(
      field,
      `must be an identifier matching ${IDENTIFIER.source} (letters, digits, underscore), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** 32-bit FNV-1a of a string, as a signed int: stable across processes (namespaces advisory locks). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
