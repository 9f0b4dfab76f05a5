import { CheckoutError, isCheckoutError, toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import {
  ConsumerStateError,
  DeadLetterAnnotationDroppedError,
  DeadLetterQueueUnavailableError,
  HandlerTimeoutError,
  InvalidPayloadError,
  PermanentError,
  PoisonMessageError,
  ReceiveTimeoutError,
  RequestTimeoutError,
  TransientError,
  WorkersConfigError,
  WorkersError,
} from './errors.js';

describe('WorkersError: the core error shape', () => {
  const cases: ReadonlyArray<readonly [WorkersError, string, number]> = [
    [new WorkersConfigError('backoff.maxMs', 'too large'), 'WORKERS_INVALID_CONFIG', 500],
    [new InvalidPayloadError('payload.lines[2].quantity', 'too small'), 'WORKERS_INVALID_PAYLOAD', 400],
    [new PoisonMessageError('unparseable', 'not JSON'), 'WORKERS_POISON_MESSAGE', 500],
    [new PermanentError('card expired'), 'WORKERS_PERMANENT_FAILURE', 500],
    [new TransientError('provider down', { retryAfterSeconds: 1.2 }), 'WORKERS_TRANSIENT_FAILURE', 503],
    [new DeadLetterQueueUnavailableError('q', 'none'), 'WORKERS_DEAD_LETTER_QUEUE_UNAVAILABLE', 500],
    [new DeadLetterAnnotationDroppedError('permanent', 'x', 1, 2), 'WORKERS_DEAD_LETTER_ANNOTATION_DROPPED', 500],
    [new HandlerTimeoutError(1_000, 'handlerTimeoutMs'), 'WORKERS_HANDLER_TIMEOUT', 503],
    [new ReceiveTimeoutError(1_000), 'WORKERS_RECEIVE_TIMEOUT', 503],
    [new RequestTimeoutError('SendMessage', 1_000), 'WORKERS_REQUEST_TIMEOUT', 503],
    [new ConsumerStateError('started twice'), 'WORKERS_CONSUMER_STATE', 500],
  ];
  for (const [error, code, status] of cases) {
    it(`${error.name}: ${code}, HTTP ${status}, a CheckoutError`, () => {
      expect(error).toBeInstanceOf(WorkersError);
      expect(error).toBeInstanceOf(CheckoutError);
      expect(isCheckoutError(error)).toBe(true);
      expect(error.code).toBe(code);
      expect(error.httpStatus).toBe(status);
      expect(error.name).toBe(error.constructor.name);
      expect(toHttpResponse(error)?.status).toBe(status);
    });
  }

  it('field is set by config, payload and poison errors (fieldPath format)', () => {
    expect(new WorkersConfigError('backoff.maxMs', 'x').field).toBe('backoff.maxMs');
    const payload = new InvalidPayloadError('payload.lines[2].quantity', 'too small');
    expect(toHttpResponse(payload)?.body).toContain('"field":"payload.lines[2].quantity"');
    expect(new PoisonMessageError('schema-invalid', 'bad', 'payload.email').field).toBe('payload.email');
    expect(new PoisonMessageError('unparseable', 'bad').field).toBeUndefined();
  });

  it('TransientError: retryAfterSeconds in whole seconds, sent as Retry-After', () => {
    const error = new TransientError('later', { retryAfterSeconds: 1.2 });
    expect(error.retryAfterSeconds).toBe(2);
    expect(toHttpResponse(error)?.headers['Retry-After']).toBe('2');
    expect(new TransientError('later').retryAfterSeconds).toBeUndefined();
    expect(new TransientError('later', { retryAfterSeconds: Number.NaN }).retryAfterSeconds).toBeUndefined();
  });
});
