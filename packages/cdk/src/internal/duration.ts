import { Duration } from 'aws-cdk-lib';
import { CheckoutCdkConfigError } from '../errors.js';

/** Whole seconds of a concrete duration; a token (unknown until deploy) cannot be checked, so it is rejected. */
export function concreteSeconds(duration: Duration, constructPath: string, field: string): number {
  if (duration.isUnresolved()) {
    throw new CheckoutCdkConfigError(constructPath, field, 'must be a concrete duration, not a token');
  }
  return duration.toSeconds();
}

/** Rejects a number outside `[min, max]` or not an integer, naming the field. */
export function checkInteger(value: number, min: number, max: number, constructPath: string, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CheckoutCdkConfigError(constructPath, field, `must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * The timeout of a scheduled function that works for a bounded time per run (relay, deadline
 * sweeper), and that time: `runFor` defaults to the timeout minus 10 s and must stay below it.
 */
export function runBudget(
  constructPath: string,
  options: { readonly timeout?: Duration; readonly runFor?: Duration },
): { readonly timeout: Duration; readonly runForSeconds: number } {
  const timeout = options.timeout ?? Duration.seconds(60);
  const timeoutSeconds = concreteSeconds(timeout, constructPath, 'timeout');
  const runFor = options.runFor ?? Duration.seconds(Math.max(1, timeoutSeconds - 10));
  const runForSeconds = concreteSeconds(runFor, constructPath, 'runFor');
  if (runForSeconds <= 0 || runForSeconds >= timeoutSeconds) {
    throw new CheckoutCdkConfigError(
      constructPath,
      'runFor',
      `must be > 0 and shorter than the timeout (${timeoutSeconds}s)`,
    );
  }
  return { timeout, runForSeconds };
}

/** An age alarm threshold in whole seconds (default 5 minutes), at least the metric's 60 s resolution. */
export function ageAlarmThresholdSeconds(
  constructPath: string,
  field: string,
  threshold: Duration | undefined,
): number {
  const seconds = concreteSeconds(threshold ?? Duration.minutes(5), constructPath, field);
  if (seconds < 60) throw new CheckoutCdkConfigError(constructPath, field, 'must be >= 60 s (metric resolution)');
  return seconds;
}
