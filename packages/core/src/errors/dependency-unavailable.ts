import { CheckoutError } from './checkout-error.js';
import { type TransientFailure, transientFailure } from './transient-failure.js';

/** `Retry-After` of a {@link DependencyUnavailableError} when none is given: 2 seconds. */
export const DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS = 2;

/** Options of {@link DependencyUnavailableError} and {@link dependencyUnavailable}. */
export interface DependencyUnavailableOptions {
  /** What was unavailable, for logs and metrics: `postgres`, `dynamodb`, `sqs`, `payment-provider`. */
  readonly dependency: string;
  /** Whole seconds a client should wait before retrying (`Retry-After`). Default {@link DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS}. */
  readonly retryAfterSeconds?: number;
  /** What {@link transientFailure} recognised, when it did. */
  readonly failure?: TransientFailure;
  /** The error of the client library. */
  readonly cause?: unknown;
}

const DEPENDENCY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * A dependency under the service (the database, DynamoDB, a queue, a provider) is unavailable for
 * now: HTTP 503 with `Retry-After`, code `DEPENDENCY_UNAVAILABLE`. The request may or may not have
 * taken effect (a COMMIT whose answer was lost): the client retries with the same idempotency key,
 * and an idempotent endpoint answers the first outcome.
 *
 * `toHttpResponse` maps it to `503`, `Retry-After: <retryAfterSeconds>` and
 * `{"error":{"code":"DEPENDENCY_UNAVAILABLE","message":"Internal error"}}` (the dependency and the
 * cause stay in your logs). Throws `TypeError` for a `dependency` that is not 1-64 letters, digits,
 * `_`, `.`, `:` or `-`, or a `retryAfterSeconds` that is not a whole number from 0 to 86400.
 *
 * @example
 * ```ts
 * import { DependencyUnavailableError, toHttpResponse } from '@checkout/core';
 *
 * const error = new DependencyUnavailableError({ dependency: 'postgres', retryAfterSeconds: 3 });
 * toHttpResponse(error)?.headers['Retry-After']; // '3'
 * ```
 */
export class DependencyUnavailableError extends CheckoutError {
  declare readonly code: 'DEPENDENCY_UNAVAILABLE';
  declare readonly retryAfterSeconds: number;
  /** What was unavailable (`postgres`, `dynamodb`, ...). */
  readonly dependency: string;
  /** What {@link transientFailure} recognised in the cause, when it did. */
  readonly failure: TransientFailure | undefined;

  constructor(options: DependencyUnavailableOptions) {
    const { dependency } = options;
    if (typeof dependency !== 'string' || !DEPENDENCY_NAME.test(dependency)) {
      throw new TypeError('dependency must be 1-64 letters, digits, "_", ".", ":" or "-"');
    }
    const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS;
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0 || retryAfterSeconds > 86_400) {
      throw new TypeError('retryAfterSeconds must be a whole number of seconds from 0 to 86400');
    }
    const failure = options.failure;
    super(
      'DEPENDENCY_UNAVAILABLE',
      `${dependency} is unavailable${failure === undefined ? '' : ` (${failure.kind}: ${failure.reason})`}`,
      { httpStatus: 503, retryAfterSeconds, ...(options.cause === undefined ? {} : { cause: options.cause }) },
    );
    this.dependency = dependency;
    this.failure = failure;
  }
}

/**
 * `error` as a {@link DependencyUnavailableError} when {@link transientFailure} recognises it as a
 * transient infrastructure failure (the original error is the `cause`), or `undefined` (rethrow it:
 * a retry would not help). An error that already is a `DependencyUnavailableError` is returned as is.
 *
 * @example
 * ```ts
 * import { dependencyUnavailable } from '@checkout/core';
 *
 * async function withPostgres<T>(run: () => Promise<T>): Promise<T> {
 *   try {
 *     return await run();
 *   } catch (error) {
 *     throw dependencyUnavailable(error, { dependency: 'postgres' }) ?? error;
 *   }
 * }
 * ```
 */
export function dependencyUnavailable(
  error: unknown,
  options: Omit<DependencyUnavailableOptions, 'failure' | 'cause'>,
): DependencyUnavailableError | undefined {
  if (error instanceof DependencyUnavailableError) return error;
  const failure = transientFailure(error);
  if (failure === undefined) return undefined;
  return new DependencyUnavailableError({ ...options, failure, cause: error });
}
