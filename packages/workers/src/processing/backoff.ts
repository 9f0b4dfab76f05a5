import { InvalidOptionsError } from '../errors.js';

/** SQS refuses visibility timeouts above 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** Exponential backoff for transient failures, applied with `ChangeMessageVisibility`. */
export interface BackoffOptions {
  /** Delay after the first failed delivery, in seconds. Default 2. */
  readonly baseSeconds?: number;
  /** Upper bound in seconds (at most 43,200 = 12 h, the SQS limit). Default 43,200. */
  readonly maxSeconds?: number;
}

/** Checked backoff settings. */
export interface ResolvedBackoff {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/** Validates backoff options, naming the bad field. */
export function resolveBackoff(options: BackoffOptions | undefined, field = 'backoff'): ResolvedBackoff {
  const baseSeconds = options?.baseSeconds ?? 2;
  const maxSeconds = options?.maxSeconds ?? MAX_VISIBILITY_SECONDS;
  if (!Number.isFinite(baseSeconds) || baseSeconds < 0) {
    throw new InvalidOptionsError(`${field}.baseSeconds`, 'must be a number >= 0');
  }
  if (!Number.isFinite(maxSeconds) || maxSeconds < 0 || maxSeconds > MAX_VISIBILITY_SECONDS) {
    throw new InvalidOptionsError(`${field}.maxSeconds`, `must be between 0 and ${MAX_VISIBILITY_SECONDS}`);
  }
  return { baseSeconds, maxSeconds };
}

/**
 * Visibility timeout (whole seconds) before the next delivery after `receiveCount` failed ones:
 * "equal jitter", i.e. uniformly in [d/2, d] with d = base * 2^(receiveCount - 1), capped. The
 * ranges of consecutive attempts touch but never overlap, so the delay never shrinks as the
 * receive count grows, while jitter still spreads a burst of failures.
 */
export function backoffSeconds(receiveCount: number, backoff: ResolvedBackoff, random: () => number): number {
  const exponent = Math.min(Math.max(receiveCount, 1) - 1, 30);
  const ceiling = backoff.baseSeconds * 2 ** exponent;
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.min(backoff.maxSeconds, Math.ceil(jittered));
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
