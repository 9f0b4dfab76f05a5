import { MissingEnvironmentError } from '../../errors.js';

/** The environment of one Lambda entry, read strictly: a missing variable is an error naming it. */
export interface LambdaEnvironment {
  /** The deployable unit (`payment-worker`, ...), used in error messages. */
  readonly handler: string;
  /** The value of `name`; throws `MissingEnvironmentError` naming it when missing or empty. */
  require(name: string): string;
  /** The value of `name`, or `undefined` when missing or empty. */
  optional(name: string): string | undefined;
}

/**
 * Reads the variables the CDK constructs set for `handler` (and the ones the Lambda runtime sets,
 * such as `AWS_REGION`), from `env` (default `process.env`).
 * `lambdaEnvironment('payment-worker').require('CHECKOUT_QUEUE_URL')` at module top level fails the
 * cold start naming the variable when the deployment did not set it.
 */
export function lambdaEnvironment(
  handler: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LambdaEnvironment {
  const optional = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  return {
    handler,
    optional,
    require(name) {
      const value = optional(name);
      if (value === undefined) throw new MissingEnvironmentError(name, handler);
      return value;
    },
  };
}
