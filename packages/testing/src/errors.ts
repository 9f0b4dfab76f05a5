/** Stable codes of every error `@checkout/testing` throws. */
export type TestingErrorCode =
  | 'JAVA_NOT_FOUND'
  | 'DOCKER_UNAVAILABLE'
  | 'SERVICE_START_FAILED'
  | 'INVALID_STACK_CONFIG';

/** Base class of every error thrown by `@checkout/testing`; switch on `code`, not on the message. */
export class TestingError extends Error {
  /** Stable machine-readable code. */
  readonly code: TestingErrorCode;

  constructor(code: TestingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** DynamoDB Local needs Java 17+; thrown when `java -version` cannot run. The message names the fixes. */
export class JavaNotFoundError extends TestingError {
  constructor(cause?: unknown) {
    super(
      'JAVA_NOT_FOUND',
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
      'DOCKER_UNAVAILABLE',
      `CHECKOUT_STACK_MODE=containers needs a Docker daemon, but none answered: ${detail}. ` +
        'Start Docker, or use CHECKOUT_STACK_MODE=embedded (the default falls back to embedded servers).',
    );
  }
}

/** How to build a {@link ServiceStartError}: what to do about it, and the underlying error. */
export interface ServiceStartErrorOptions {
  /** What the user can do about it, in one sentence; appended to the message after `Fix:`. */
  readonly fix: string;
  /** The underlying error (a spawn error, a listen error, ...). */
  readonly cause?: unknown;
}

/**
 * A local server did not start or did not become ready in time. Every start failure of an
 * embedded server (spawn errors, a failed `initdb`, a port already taken, a timeout) surfaces as
 * this error, never as an unhandled `'error'` event; its message ends with the fix.
 */
export class ServiceStartError extends TestingError {
  /** Which service failed. */
  readonly service: string;
  /** What the user can do about it (also at the end of the message). */
  readonly fix: string;

  constructor(service: string, detail: string, options: ServiceStartErrorOptions) {
    super('SERVICE_START_FAILED', `${service} did not start: ${detail}. Fix: ${options.fix}`, { cause: options.cause });
    this.service = service;
    this.fix = options.fix;
  }
}

/** An option or environment variable has a value the stack cannot use. */
export class InvalidStackConfigError extends TestingError {
  constructor(message: string) {
    super('INVALID_STACK_CONFIG', message);
  }
}
