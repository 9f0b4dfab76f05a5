/** Stable codes of every error `@checkout/cdk` throws (at construction, i.e. during `cdk synth`). */
export type CheckoutCdkErrorCode =
  | 'INVALID_CONSTRUCT_PROPS'
  | 'INVALID_TABLE_DEFINITION'
  | 'VISIBILITY_TIMEOUT_TOO_SHORT'
  | 'CONCURRENCY_MISCONFIGURED';

/** Base class of every error thrown by `@checkout/cdk`; switch on `code`, not on the message. */
export class CheckoutCdkError extends Error {
  /** Stable machine-readable code. */
  readonly code: CheckoutCdkErrorCode;
  /** Construct path (`Stack/Payments/Queue`) of the construct whose props were rejected. */
  readonly constructPath: string;

  constructor(code: CheckoutCdkErrorCode, constructPath: string, message: string) {
    super(`${constructPath}: ${message}`);
    this.name = new.target.name;
    this.code = code;
    this.constructPath = constructPath;
  }
}

/** A construct prop is out of range, unresolved (a token where a concrete value is needed) or inconsistent. */
export class InvalidConstructPropsError extends CheckoutCdkError {
  /** Name of the rejected prop, e.g. `batchSize`. */
  readonly field: string;

  constructor(constructPath: string, field: string, message: string) {
    super('INVALID_CONSTRUCT_PROPS', constructPath, `invalid \`${field}\`: ${message}`);
    this.field = field;
  }
}

/** A `DynamoTableDefinition` names no key, reuses a key as TTL attribute, or duplicates an index name. */
export class InvalidTableDefinitionError extends CheckoutCdkError {
  /** Path of the rejected field inside the definition, e.g. `partitionKey.name`. */
  readonly field: string;

  constructor(constructPath: string, field: string, message: string) {
    super('INVALID_TABLE_DEFINITION', constructPath, `invalid table definition \`${field}\`: ${message}`);
    this.field = field;
  }
}

/**
 * The queue's visibility timeout is shorter than 6x its consumer function's timeout (the AWS guidance for
 * Lambda event sources): a message still being processed would become visible again and run twice, and
 * throttled retries would burn through `maxReceiveCount` into the DLQ.
 */
export class VisibilityTimeoutTooShortError extends CheckoutCdkError {
  /** Visibility timeout of the queue, seconds. */
  readonly visibilityTimeoutSeconds: number;
  /** Timeout of the consumer function, seconds. */
  readonly functionTimeoutSeconds: number;

  constructor(constructPath: string, visibilityTimeoutSeconds: number, functionTimeoutSeconds: number) {
    super(
      'VISIBILITY_TIMEOUT_TOO_SHORT',
      constructPath,
      `queue visibility timeout ${visibilityTimeoutSeconds}s is shorter than 6 x the consumer function timeout ` +
        `(${functionTimeoutSeconds}s -> needs >= ${6 * functionTimeoutSeconds}s). Raise the queue's ` +
        '`visibilityTimeout` (or set `consumerTimeout` and let CheckoutQueue derive it) or lower the function timeout.',
    );
    this.visibilityTimeoutSeconds = visibilityTimeoutSeconds;
    this.functionTimeoutSeconds = functionTimeoutSeconds;
  }
}

/**
 * The event source's `maxConcurrency` exceeds the function's reserved concurrency: Lambda would throttle
 * the poller's invocations, and each throttled batch counts as a receive towards the DLQ.
 */
export class ConcurrencyMisconfiguredError extends CheckoutCdkError {
  constructor(constructPath: string, maxConcurrency: number, reservedConcurrency: number) {
    super(
      'CONCURRENCY_MISCONFIGURED',
      constructPath,
      `event source maxConcurrency ${maxConcurrency} exceeds the function's reserved concurrency ${reservedConcurrency}; ` +
        'throttled batches would count towards maxReceiveCount and reach the DLQ. Set maxConcurrency <= reservedConcurrency.',
    );
  }
}
