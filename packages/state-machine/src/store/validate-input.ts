import { storedTextProblem } from '@checkout/core';
import { StateMachineInputError } from '../errors.js';

const MAX_TEXT = 200;
const MAX_REASON = 2000;

/**
 * A non-empty string of at most `max` UTF-16 code units that Postgres stores exactly (core's
 * `storedTextProblem`: no U+0000, no unpaired surrogate), or a `StateMachineInputError` naming `field`.
 */
export function requireText(field: string, value: unknown, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new StateMachineInputError(field, 'must be a non-empty string');
  }
  if (value.length > max) throw new StateMachineInputError(field, `must be at most ${max} UTF-16 code units`);
  const problem = storedTextProblem(value);
  if (problem !== undefined) throw new StateMachineInputError(field, problem);
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
    throw new StateMachineInputError('expectedVersion', `must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** The input object of `create`, `apply` or `force`, or a `StateMachineInputError` naming `input`. */
export function requireInput(value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw new StateMachineInputError('input', `must be an object, got ${value === null ? 'null' : typeof value}`);
  }
}
