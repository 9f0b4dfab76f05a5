import { CheckoutError, type CheckoutErrorOptions } from '@checkout/core';

/** Stable codes of every error `@checkout/workers` throws; switch on these, not on messages. */
export type WorkersErrorCode =
  | 'WORKERS_INVALID_CONFIG'
  | 'WORKERS_INVALID_PAYLOAD'
  | 'WORKERS_POISON_MESSAGE'
  | 'WORKERS_PERMANENT_FAILURE'
  | 'WORKERS_TRANSIENT_FAILURE'
  | 'WORKERS_DEAD_LETTER_QUEUE_UNAVAILABLE'
  | 'WORKERS_DEAD_LETTER_ANNOTATION_DROPPED'
  | 'WORKERS_HANDLER_TIMEOUT'
  | 'WORKERS_RECEIVE_TIMEOUT'
  | 'WORKERS_REQUEST_TIMEOUT'
  | 'WORKERS_CONSUMER_STATE';

/**
 * Base class of every error thrown by `@checkout/workers` (a `CheckoutError` from `@checkout/core`:
 * `code`, `httpStatus`, `field`, `retryAfterSeconds`, mapped by core's `toHttpResponse`).
 *
 * @example
 * ```ts
 * import { type CommandDefinition, encode, WorkersError } from '@checkout/workers';
 *
 * declare const chargeCard: CommandDefinition<'ChargeCard', { amountMinor: number; currency: string }>;
 * declare const input: { amountMinor: number; currency: string };
 * declare const orderId: string;
 * declare const idempotencyKey: string;
 *
 * try {
 *   await encode(chargeCard, input, { orderId, idempotencyKey });
 * } catch (error) {
 *   if (error instanceof WorkersError && error.code === 'WORKERS_INVALID_PAYLOAD') console.log(error.field);
 * }
 * ```
 */
export class WorkersError extends CheckoutError {
  /** Stable machine-readable code. */
  declare readonly code: WorkersErrorCode;

  constructor(code: WorkersErrorCode, message: string, options?: CheckoutErrorOptions) {
    super(code, message, options);
  }
}

/**
 * An option passed to a factory or function is missing or out of range (code
 * `WORKERS_INVALID_CONFIG`, HTTP 500); `field` names it (`backoff.maxMs`, `heartbeat.intervalMs`).
 */
export class WorkersConfigError extends WorkersError {
  /** The option at fault, e.g. `concurrency`. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('WORKERS_INVALID_CONFIG', `${field}: ${message}`, { field, httpStatus: 500 });
  }
}

/**
 * `encode` was given a payload or metadata that does not match the command (code
 * `WORKERS_INVALID_PAYLOAD`, HTTP 400); nothing was produced. `field` is the path of the first bad
 * value, written by core's `fieldPath`: `payload.lines[2].quantity`, `orderId`.
 */
export class InvalidPayloadError extends WorkersError {
  /** Path of the first invalid field, e.g. `payload.lines[2].quantity`. */
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('WORKERS_INVALID_PAYLOAD', `${field}: ${message}`, { field, httpStatus: 400 });
  }
}

/** Why a message can never be processed, whatever the number of retries. */
export type PoisonKind = 'unparseable' | 'invalid-envelope' | 'unknown-type' | 'unsupported-version' | 'schema-invalid';

/**
 * A received message is poison (code `WORKERS_POISON_MESSAGE`, HTTP 500): its body is not JSON, not
 * an envelope, names an unknown command type or version, or its payload fails the command's schema.
 * Sent to the DLQ at once.
 */
export class PoisonMessageError extends WorkersError {
  /** What is wrong with the message. */
  readonly kind: PoisonKind;

  constructor(kind: PoisonKind, message: string, field?: string) {
    super('WORKERS_POISON_MESSAGE', field === undefined ? `${kind}: ${message}` : `${kind}: ${field}: ${message}`, {
      ...(field === undefined ? {} : { field }),
      httpStatus: 500,
    });
    this.kind = kind;
  }
}

/**
 * Throw from a command handler when retrying cannot help (card expired, order cancelled): the
 * message goes to the dead-letter queue at once, with this error's message as the reason (code
 * `WORKERS_PERMANENT_FAILURE`, HTTP 500).
 */
export class PermanentError extends WorkersError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('WORKERS_PERMANENT_FAILURE', message, { cause: options?.cause, httpStatus: 500 });
  }
}

/**
 * Optional: throw from a command handler to retry after a delay you know (e.g. a provider's
 * `Retry-After`, in whole seconds; a fraction is rounded up). Any other non-permanent error is
 * retried with exponential backoff. Code `WORKERS_TRANSIENT_FAILURE`, HTTP 503.
 */
export class TransientError extends WorkersError {
  constructor(message: string, options?: { readonly cause?: unknown; readonly retryAfterSeconds?: number }) {
    const after = options?.retryAfterSeconds;
    super('WORKERS_TRANSIENT_FAILURE', message, {
      cause: options?.cause,
      httpStatus: 503,
      ...(typeof after === 'number' && Number.isFinite(after) && after >= 0
        ? { retryAfterSeconds: Math.ceil(after) }
        : {}),
    });
  }
}

/**
 * A permanent failure could not be parked: no DLQ was configured or found in the redrive policy
 * (code `WORKERS_DEAD_LETTER_QUEUE_UNAVAILABLE`, HTTP 500).
 */
export class DeadLetterQueueUnavailableError extends WorkersError {
  constructor(queue: string, detail: string, cause?: unknown) {
    super('WORKERS_DEAD_LETTER_QUEUE_UNAVAILABLE', `no dead-letter queue for ${queue}: ${detail}`, {
      cause,
      httpStatus: 500,
    });
  }
}

/**
 * A message was parked in the DLQ without its annotation: its body left no room under the size
 * limit for even the reason attribute (SQS counts body + attribute names, types and values). The
 * message is in the DLQ and acknowledged (never retried); this error, given to `observer.error`
 * (stage `dead-letter`), is the only record of why. Code `WORKERS_DEAD_LETTER_ANNOTATION_DROPPED`,
 * HTTP 500.
 */
export class DeadLetterAnnotationDroppedError extends WorkersError {
  /** The reason that could not be attached, e.g. `permanent` or `poison:unparseable`. */
  readonly reason: string;
  /** The failure's error text. */
  readonly detail: string;
  constructor(reason: string, detail: string, bodyBytes: number, limitBytes: number) {
    super(
      'WORKERS_DEAD_LETTER_ANNOTATION_DROPPED',
      `parked without annotation (body ${bodyBytes} bytes, limit ${limitBytes}): ${reason}: ${detail.slice(0, 1024)}`,
      { httpStatus: 500 },
    );
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * A handler did not settle in time (the consumer's `handlerTimeoutMs`, or the Lambda deadline
 * minus `timeoutMarginMs`). It is the handler's `signal.reason` and what `observer.error` receives;
 * the message is released for a retry after its backoff, never acknowledged. Code
 * `WORKERS_HANDLER_TIMEOUT`, HTTP 503.
 */
export class HandlerTimeoutError extends WorkersError {
  /** How long the handler had, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, detail: string) {
    super('WORKERS_HANDLER_TIMEOUT', `handler did not settle within ${Math.round(timeoutMs)} ms (${detail})`, {
      httpStatus: 503,
    });
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A `ReceiveMessage` call got no answer within `receiveTimeoutMs` (a half-open connection, a
 * stalled endpoint). Reported to `observer.error`; the poller then tries again. Code
 * `WORKERS_RECEIVE_TIMEOUT`, HTTP 503.
 */
export class ReceiveTimeoutError extends WorkersError {
  /** How long the call had, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options?: { readonly cause?: unknown }) {
    super('WORKERS_RECEIVE_TIMEOUT', `ReceiveMessage got no answer within ${Math.round(timeoutMs)} ms`, {
      cause: options?.cause,
      httpStatus: 503,
    });
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An SQS call (other than the consumer's long poll, see {@link ReceiveTimeoutError}) got no answer
 * within its `requestTimeoutMs` (a half-open connection, a stalled endpoint) and was aborted,
 * retries included. `operation` names the SQS action, e.g. `SendMessage`. Thrown by
 * `getQueueSnapshot`, `listDeadLetters` and `redriveDeadLetters`; given to `observer.error` by the
 * Lambda handler and the consumer. Code `WORKERS_REQUEST_TIMEOUT`, HTTP 503.
 */
export class RequestTimeoutError extends WorkersError {
  /** The SQS action that timed out, e.g. `GetQueueAttributes`, `ReceiveMessage`, `SendMessage`. */
  readonly operation: string;
  /** How long the call had, in milliseconds. */
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number, options?: { readonly cause?: unknown; readonly detail?: string }) {
    super(
      'WORKERS_REQUEST_TIMEOUT',
      `${operation} got no answer within ${Math.round(timeoutMs)} ms${options?.detail ? `: ${options.detail}` : ''}`,
      { cause: options?.cause, httpStatus: 503 },
    );
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** A consumer was started twice, or started again after `stop()` (code `WORKERS_CONSUMER_STATE`, HTTP 500). */
export class ConsumerStateError extends WorkersError {
  constructor(message: string) {
    super('WORKERS_CONSUMER_STATE', message, { httpStatus: 500 });
  }
}
