import { CheckoutError } from '@checkout/core';

/** Stable codes of every error `@checkout/testing` throws. */
export type TestingErrorCode =
  | 'TESTING_JAVA_NOT_FOUND'
  | 'TESTING_DOCKER_UNAVAILABLE'
  | 'TESTING_SERVICE_START_FAILED'
  | 'TESTING_INVALID_CONFIG'
  | 'TESTING_INVALID_INPUT'
  | 'TESTING_FAULT_NOT_TRIGGERED';

/**
 * Base class of every error thrown by `@checkout/testing` (a `CheckoutError` from `@checkout/core`);
 * switch on `code`, not on the message.
 *
 * @example
 * ```ts
 * import { TestingError, startCheckoutStack } from '@checkout/testing';
 *
 * const stack = await startCheckoutStack().catch((error: unknown) => {
 *   if (error instanceof TestingError && error.code === 'TESTING_JAVA_NOT_FOUND') console.error(error.message);
 *   throw error;
 * });
 * ```
 */
export class TestingError extends CheckoutError {
  /** Stable machine-readable code, prefixed `TESTING_`. */
  declare readonly code: TestingErrorCode;

  constructor(
    code: TestingErrorCode,
    message: string,
    options: { readonly httpStatus?: number; readonly field?: string; readonly cause?: unknown } = {},
  ) {
    super(code, message, {
      httpStatus: options.httpStatus ?? 500,
      ...(options.field === undefined ? {} : { field: options.field }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/** DynamoDB Local needs Java 17+; thrown when `java -version` cannot run. The message names the fixes. */
export class JavaNotFoundError extends TestingError {
  constructor(cause?: unknown) {
    super(
      'TESTING_JAVA_NOT_FOUND',
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. Fix one of: ' +
        'install a JRE (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`), ' +
        'or start a Docker daemon (testcontainers + LocalStack is used when Docker is reachable), ' +
        'or point CHECKOUT_DYNAMODB_ENDPOINT at a running DynamoDB endpoint.',
      { cause },
    );
  }
}

/** Containers were demanded (`mode: 'containers'`) but no Docker daemon answered `GET /_ping`. */
export class DockerUnavailableError extends TestingError {
  constructor(detail: string) {
    super(
      'TESTING_DOCKER_UNAVAILABLE',
      `CHECKOUT_STACK_MODE=containers needs a Docker daemon, but none answered: ${detail}. ` +
        'Start Docker, or use CHECKOUT_STACK_MODE=embedded (the default falls back to embedded servers).',
    );
  }
}

/** How to build a {@link ServiceStartError}: what to do about it, and the underlying error. */
export interface ServiceStartErrorOptions {
  /** What the user can do about it, in one sentence; appended to the message after `Fix:`. */
  readonly fix: string;
  /** The underlying error (a spawn error, a listen error, a container that did not start, ...). */
  readonly cause?: unknown;
}

/**
 * A local server or container did not start or did not become ready in time. Every start failure
 * (spawn errors, a failed `initdb`, a port already taken, a timeout, a testcontainers container that
 * could not be pulled or started) surfaces as this error, never as an unhandled `'error'` event; its
 * message ends with the fix.
 */
export class ServiceStartError extends TestingError {
  /** Which service failed (`postgres`, `dynamodb`, `sqs`). */
  readonly service: string;
  /** What the user can do about it (also at the end of the message). */
  readonly fix: string;

  constructor(service: string, detail: string, options: ServiceStartErrorOptions) {
    super('TESTING_SERVICE_START_FAILED', `${service} did not start: ${detail}. Fix: ${options.fix}`, {
      cause: options.cause,
    });
    this.service = service;
    this.fix = options.fix;
  }
}

/**
 * An option of `startCheckoutStack` or an environment variable it reads has a value the stack cannot
 * use. `field` names it: the option (`mode`, `postgres.maxConnections`) or the variable
 * (`CHECKOUT_POSTGRES_URL`).
 */
export class TestingConfigError extends TestingError {
  /** The rejected option or environment variable. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('TESTING_INVALID_CONFIG', `${field} ${message}`, { field });
  }
}

/**
 * An argument of a helper (`uniqueName`, `createTestSchema`, `createTestQueue`) is out of range;
 * `field` names it (`prefix`, `maxReceiveCount`). Nothing was created.
 */
export class TestingInputError extends TestingError {
  /** The rejected argument or option. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('TESTING_INVALID_INPUT', `${field} ${message}`, { httpStatus: 400, field });
  }
}

/**
 * A fault armed on a fault proxy did not happen: `proxy.cutAfter(pattern)` saw no matching chunk
 * within its `timeoutMs` (`reason: 'timeout'`), or the proxy was closed first (`reason: 'closed'`).
 */
export class FaultNotTriggeredError extends TestingError {
  /** Why the fault did not fire. */
  readonly reason: 'timeout' | 'closed';

  constructor(reason: 'timeout' | 'closed', message: string) {
    super('TESTING_FAULT_NOT_TRIGGERED', message);
    this.reason = reason;
  }
}
