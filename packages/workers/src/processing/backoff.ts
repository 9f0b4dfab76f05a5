import { type BackoffOptions, backoffProblem } from '@checkout/core';
import { WorkersConfigError } from '../errors.js';

/** SQS refuses visibility timeouts above 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** Default backoff of transient failures: base 2 s, cap 12 h (SQS's limit). */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 2_000, maxMs: MAX_VISIBILITY_SECONDS * 1000 };

/** Checked backoff settings, in milliseconds. */
export type ResolvedBackoff = Required<BackoffOptions>;

/**
 * Validates `backoff` (core's `backoffProblem`; `maxMs` at most 12 h, SQS's visibility limit) and
 * fills the defaults. Throws `WorkersConfigError` naming `backoff.baseMs` or `backoff.maxMs`.
 */
export function resolveBackoff(backoff: BackoffOptions | undefined, field = 'backoff'): ResolvedBackoff {
  const problem = backoffProblem(backoff, DEFAULT_BACKOFF, DEFAULT_BACKOFF.maxMs);
  if (problem !== undefined) throw new WorkersConfigError(`${field}.${problem.field}`, problem.reason);
  return { baseMs: backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs, maxMs: backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs };
}

/**
 * Visibility timeout (whole seconds, rounded up, at most 12 h) before the next delivery after
 * `receiveCount` failed ones: "equal jitter", uniformly in [d/2, d] with d = baseMs * 2^(receiveCount
 * - 1), then capped at `maxMs`. The ranges of consecutive attempts touch but never overlap and the
 * cap applies after the jitter, so the delay never shrinks as the receive count grows, while
 * jitter still spreads a burst of failures.
 */
export function backoffSeconds(receiveCount: number, backoff: ResolvedBackoff, random: () => number): number {
  const exponent = Math.min(Math.max(receiveCount, 1) - 1, 30);
  const ceilingMs = backoff.baseMs * 2 ** exponent;
  const r = Math.min(Math.max(random(), 0), 1);
  const jitteredMs = ceilingMs / 2 + (r * ceilingMs) / 2;
  return Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(Math.min(backoff.maxMs, jitteredMs) / 1000));
}

/**
 * Whole seconds of visibility SQS still grants a delivery: its visibility can total at most 12 h
 * counted from the receive (a `ChangeMessageVisibility` beyond that is refused with
 * `InvalidParameterValue`, it is not clamped). `receivedAtMs` must be a lower bound of the receive
 * time, so the result never exceeds what SQS allows.
 */
export function visibilityLeftSeconds(receivedAtMs: number, nowMs: number): number {
  const elapsedMs = Math.max(0, nowMs - receivedAtMs);
  return Math.max(0, Math.floor((MAX_VISIBILITY_SECONDS * 1000 - elapsedMs) / 1000));
}
