import { CheckoutError } from '@checkout/core';

/** Stable codes of every error `@checkout/cdk` throws (at construction, i.e. during `cdk synth`). */
export type CheckoutCdkErrorCode =
  | 'CDK_INVALID_CONFIG'
  | 'CDK_VISIBILITY_TIMEOUT_TOO_SHORT'
  | 'CDK_CONCURRENCY_MISCONFIGURED';

/**
 * Base class of every error thrown by `@checkout/cdk` (a `CheckoutError` from `@checkout/core`);
 * switch on `code`, not on the message. Every one is a configuration fault (`httpStatus` 500) found
 * while the construct is created, before any resource exists.
 *
 * @example
 * ```ts
 * import { CheckoutCdkError, CheckoutQueue } from '@checkout/cdk';
 * import { App, Stack } from 'aws-cdk-lib';
 *
 * try {
 *   new CheckoutQueue(new Stack(new App(), 'S'), 'Q', { maxReceiveCount: 0 });
 * } catch (error) {
 *   if (error instanceof CheckoutCdkError) console.error(error.code, error.constructPath, error.field);
 * }
 * ```
 */
export class CheckoutCdkError extends CheckoutError {
  /** Stable machine-readable code, prefixed `CDK_`. */
  declare readonly code: CheckoutCdkErrorCode;
  /** Construct path (`Stack/Payments/Queue`) of the construct whose props were rejected. */
  readonly constructPath: string;

  constructor(
    code: CheckoutCdkErrorCode,
    constructPath: string,
    message: string,
    options: { readonly field?: string; readonly cause?: unknown } = {},
  ) {
    super(code, `${constructPath}: ${message}`, {
      httpStatus: 500,
      ...(options.field === undefined ? {} : { field: options.field }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.constructPath = constructPath;
  }
}

/**
 * A construct prop is out of range, unresolved (a token where a concrete value is needed), inconsistent,
 * or a table definition DynamoDB would refuse. `field` names the prop in the one path format
 * (`batchSize`, `definition.globalSecondaryIndexes[1].indexName`).
 */
export class CheckoutCdkConfigError extends CheckoutCdkError {
  /** Path of the rejected prop, e.g. `batchSize` or `definition.partitionKey.name`. */
  declare readonly field: string;

  constructor(constructPath: string, field: string, message: string) {
    super('CDK_INVALID_CONFIG', constructPath, `invalid \`${field}\`: ${message}`, { field });
  }
}

/**
 * The queue's visibility timeout is shorter than 6x its consumer function's timeout (the AWS guidance for
 * Lambda event sources): a message still being processed would become visible again and run twice, and
 * throttled retries would burn through `maxReceiveCount` into the DLQ. `field` names the prop to change
 * (`visibilityTimeout` on a queue, `timeout` on a worker).
 */
export class VisibilityTimeoutTooShortError extends CheckoutCdkError {
  /** Visibility timeout of the queue, seconds. */
  readonly visibilityTimeoutSeconds: number;
  /** Timeout of the consumer function, seconds. */
  readonly functionTimeoutSeconds: number;

  constructor(constructPath: string, visibilityTimeoutSeconds: number, functionTimeoutSeconds: number, field: string) {
    super(
      'CDK_VISIBILITY_TIMEOUT_TOO_SHORT',
      constructPath,
      `queue visibility timeout ${visibilityTimeoutSeconds}s is shorter than 6 x the consumer function timeout ` +
        `(${functionTimeoutSeconds}s -> needs >= ${6 * functionTimeoutSeconds}s). Raise the queue's ` +
        '`visibilityTimeout` (or set `consumerTimeout` and let CheckoutQueue derive it) or lower the function timeout.',
      { field },
    );
    this.visibilityTimeoutSeconds = visibilityTimeoutSeconds;
    this.functionTimeoutSeconds = functionTimeoutSeconds;
  }
}

/**
 * The event source's `maxConcurrency` exceeds the function's reserved concurrency: Lambda would throttle
 * the poller's invocations, and each throttled batch counts as a receive towards the DLQ.
 * `field` is `maxConcurrency`.
 */
export class ConcurrencyMisconfiguredError extends CheckoutCdkError {
  constructor(constructPath: string, maxConcurrency: number, reservedConcurrency: number) {
    super(
      'CDK_CONCURRENCY_MISCONFIGURED',
      constructPath,
      `event source maxConcurrency ${maxConcurrency} exceeds the function's reserved concurrency ${reservedConcurrency}; ` +
        'throttled batches would count towards maxReceiveCount and reach the DLQ. Set maxConcurrency <= reservedConcurrency.',
      { field: 'maxConcurrency' },
    );
  }
}
