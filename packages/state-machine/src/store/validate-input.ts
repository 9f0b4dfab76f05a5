import { InvalidInputError } from '../errors.js';

const MAX_TEXT = 200;
const MAX_REASON = 2000;

// In unicode mode a surrogate pair is one code point, so `\p{Cs}` matches only an unpaired surrogate.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `value` cannot be stored as Postgres text and read back as the same string, or `undefined` when it
 * can. Postgres text cannot hold U+0000 (22021; 22P05 inside jsonb), and the driver encodes an unpaired
 * UTF-16 surrogate as U+FFFD, so two strings that differ only there would become one.
 */
export function textProblem(value: string): string | undefined {
  const nul = value.indexOf('\u0000');
  if (nul !== -1) return `must not contain U+0000 (found at index ${nul}); Postgres text cannot store it`;
  const lone = LONE_SURROGATE.exec(value);
  if (lone !== null) {
    return (
      `must be well-formed UTF-16: unpaired surrogate at index ${lone.index} ` +
      '(it would be stored as U+FFFD and no longer be told apart from other strings)'
    );
  }
  return undefined;
}

/**
 * A non-empty string of at most `max` UTF-16 code units that Postgres stores exactly, or an
 * `InvalidInputError` naming `field`.
 */
export function requireText(field: string, value: unknown, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new InvalidInputError(field, 'must be a non-empty string');
  }
  if (value.length > max) throw new InvalidInputError(field, `must be at most ${max} UTF-16 code units`);
  const problem = textProblem(value);
  if (problem !== undefined) throw new InvalidInputError(field, problem);
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

/** The input object of `create`, `apply` or `force`, or an `InvalidInputError` naming `input`. */
export function requireInput(value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidInputError('input', `must be an object, got ${value === null ? 'null' : typeof value}`);
  }
}
