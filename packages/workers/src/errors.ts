/** Stable codes of every error `@checkout/workers` throws. */
export type WorkersErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_PAYLOAD'
  | 'POISON_MESSAGE'
  | 'PERMANENT_FAILURE'
  | 'TRANSIENT_FAILURE'
  | 'DEAD_LETTER_QUEUE_UNAVAILABLE'
  | 'DEAD_LETTER_ANNOTATION_DROPPED'
  | 'HANDLER_TIMEOUT'
  | 'RECEIVE_TIMEOUT'
  | 'REQUEST_TIMEOUT'
  | 'CONSUMER_STATE';

/** Base class of every error thrown by `@checkout/workers`; switch on `code`, not on the message. */
export class WorkersError extends Error {
  /** Stable machine-readable code. */
  readonly code: WorkersErrorCode;

  constructor(code: WorkersErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option passed to a factory or function is missing or out of range; `field` names it. */
export class InvalidOptionsError extends WorkersError {
  /** The option at fault, e.g. `concurrency`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_OPTIONS', `${field}: ${message}`);
    this.field = field;
  }
}

/** `encode` was given a payload or metadata that does not match the command; nothing was produced. */
export class InvalidPayloadError extends WorkersError {
  /** Dotted path of the first invalid field, e.g. `payload.amount`. */
  readonly field: string;
  /** HTTP status to answer with when the payload came from a request. */
  readonly httpStatus = 400;

  constructor(field: string, message: string) {
    super('INVALID_PAYLOAD', `${field}: ${message}`);
    this.field = field;
  }
}

/** Why a message can never be processed, whatever the number of retries. */
export type PoisonKind = 'unparseable' | 'invalid-envelope' | 'unknown-type' | 'unsupported-version' | 'schema-invalid';

/**
 * A received message is poison: its body is not JSON, not an envelope, names an unknown command
 * type or version, or its payload fails the command's schema. Sent to the DLQ at once.
 */
export class PoisonMessageError extends WorkersError {
  /** What is wrong with the message. */
  readonly kind: PoisonKind;
  /** Dotted path of the offending field when there is one (e.g. `payload.amount`). */
  readonly field: string | undefined;

  constructor(kind: PoisonKind, message: string, field?: string) {
    super('POISON_MESSAGE', field === undefined ? `${kind}: ${message}` : `${kind}: ${field}: ${message}`);
    this.kind = kind;
    this.field = field;
  }
}

/**
 * Throw from a command handler when retrying cannot help (card expired, order cancelled): the
 * message goes to the dead-letter queue at once, with this error's message as the reason.
 */
export class PermanentError extends WorkersError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PERMANENT_FAILURE', message, options);
  }
}

/**
 * Optional: throw from a command handler to retry after a delay you know (e.g. a provider's
 * `Retry-After`). Any other non-permanent error is retried with exponential backoff.
 */
export class TransientError extends WorkersError {
  /** Seconds to keep the message invisible before the next attempt, when known. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super('TRANSIENT_FAILURE', message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A permanent failure could not be parked: no DLQ was configured or found in the redrive policy. */
export class DeadLetterQueueUnavailableError extends WorkersError {
  constructor(queue: string, detail: string, cause?: unknown) {
    super('DEAD_LETTER_QUEUE_UNAVAILABLE', `no dead-letter queue for ${queue}: ${detail}`, { cause });
  }
}

/**
 * A message was parked in the DLQ without its annotation: its body left no room under the size
 * limit for even the reason attribute (SQS counts body + attribute names, types and values). The
 * message is in the DLQ and acknowledged (never retried); this error, given to the error hook
 * (stage `dead-letter`), is the only record of why.
 */
export class DeadLetterAnnotationDroppedError extends WorkersError {
  /** The reason that could not be attached, e.g. `permanent` or `poison:unparseable`. */
  readonly reason: string;
  /** The failure's error text. */
  readonly detail: string;
  constructor(reason: string, detail: string, bodyBytes: number, limitBytes: number) {
    super(
      'DEAD_LETTER_ANNOTATION_DROPPED',
      `parked without annotation (body ${bodyBytes} bytes, limit ${limitBytes}): ${reason}: ${detail.slice(0, 1024)}`,
    );
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * A handler did not settle in time (the consumer's `handlerTimeoutSeconds`, or the Lambda deadline
 * minus `timeoutMarginMs`). It is the handler's `signal.reason` and what the error hook receives;
 * the message is released for a retry after its backoff, never acknowledged.
 */
export class HandlerTimeoutError extends WorkersError {
  /** How long the handler had, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, detail: string) {
    super('HANDLER_TIMEOUT', `handler did not settle within ${Math.round(timeoutMs)} ms (${detail})`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A `ReceiveMessage` call got no answer within `receiveTimeoutSeconds` (a half-open connection, a
 * stalled endpoint). Reported to the error hook; the poller then tries again.
 */
export class ReceiveTimeoutError extends WorkersError {
  /** How long the call had, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super('RECEIVE_TIMEOUT', `ReceiveMessage got no answer within ${Math.round(timeoutMs)} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An SQS call (other than the consumer's long poll, see {@link ReceiveTimeoutError}) got no answer
 * within its `requestTimeoutSeconds` (a half-open connection, a stalled endpoint) and was aborted,
 * retries included. `operation` names the SQS action, e.g. `SendMessage`. Thrown by
 * `getQueueSnapshot`, `listDeadLetters` and `redriveDeadLetters`; given to the error hook by the
 * Lambda handler and the consumer.
 */
export class RequestTimeoutError extends WorkersError {
  /** The SQS action that timed out, e.g. `GetQueueAttributes`, `ReceiveMessage`, `SendMessage`. */
  readonly operation: string;
  /** How long the call had, in milliseconds. */
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number, options?: { cause?: unknown; detail?: string }) {
    super(
      'REQUEST_TIMEOUT',
      `${operation} got no answer within ${Math.round(timeoutMs)} ms${options?.detail ? `: ${options.detail}` : ''}`,
      { cause: options?.cause },
    );
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** A consumer was started twice, or started again after `stop()`. */
export class ConsumerStateError extends WorkersError {
  constructor(message: string) {
    super('CONSUMER_STATE', message);
  }
}
