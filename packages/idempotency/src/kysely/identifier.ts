import { IdempotencyOptionsError } from '../errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Throws {@link IdempotencyOptionsError} unless `value` is a plain SQL identifier (letters, digits,
 * underscore; at most 63 characters). Names are also quoted with `sql.id` where they reach SQL.
 */
export function validateIdentifier(option: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new IdempotencyOptionsError(option, `must match ${IDENTIFIER}, got ${JSON.stringify(value)}`);
  }
  return value;
}
