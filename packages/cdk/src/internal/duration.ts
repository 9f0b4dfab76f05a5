import type { Duration } from 'aws-cdk-lib';
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
