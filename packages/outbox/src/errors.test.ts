import { isCheckoutError, toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import {
  OutboxConfigError,
  OutboxError,
  OutboxInputError,
  OutboxMessageTooLargeError,
  OutboxNotInTransactionError,
  OutboxPublishTimeoutError,
  OutboxRelayStateError,
  OutboxUnknownDestinationError,
} from './errors.js';

describe('outbox errors: CheckoutError of @checkout/core', () => {
  const all = [
    new OutboxConfigError('table', 'bad'),
    new OutboxInputError('messages[0].groupKey', 'bad'),
    new OutboxMessageTooLargeError('messages[0]', 10, 5),
    new OutboxNotInTransactionError(),
    new OutboxUnknownDestinationError('d'),
    new OutboxRelayStateError('twice'),
    new OutboxPublishTimeoutError(['1'], 10),
  ];

  it('every error is an OutboxError and a checkout error, with an OUTBOX_ code, its class name and an httpStatus', () => {
    for (const error of all) {
      expect(error).toBeInstanceOf(OutboxError);
      expect(isCheckoutError(error)).toBe(true);
      expect(error.code).toMatch(/^OUTBOX_[A-Z_]+$/);
      expect(error.name).toBe(error.constructor.name);
      expect(error.httpStatus).toBeGreaterThanOrEqual(400);
    }
    expect(new Set(all.map((error) => error.code)).size).toBe(all.length);
  });

  it('toHttpResponse: 400 for bad input with the field, 413 with sizes, 500 without details for configuration', () => {
    const input = toHttpResponse(
      new OutboxInputError('messages[0].attributes["x y"]', 'is not a valid SQS attribute name'),
    );
    expect(input?.status).toBe(400);
    expect(JSON.parse(input?.body ?? '')).toEqual({
      error: {
        code: 'OUTBOX_INVALID_INPUT',
        message: 'messages[0].attributes["x y"]: is not a valid SQS attribute name',
        field: 'messages[0].attributes["x y"]',
      },
    });
    const large = toHttpResponse(new OutboxMessageTooLargeError('message', 2_000_000, 1_048_576));
    expect(large?.status).toBe(413);
    expect(JSON.parse(large?.body ?? '').error).toMatchObject({ sizeBytes: 2_000_000, limitBytes: 1_048_576 });
    const config = toHttpResponse(new OutboxConfigError('schema', 'must not be empty'));
    expect(config?.status).toBe(500);
    expect(JSON.parse(config?.body ?? '')).toEqual({
      error: { code: 'OUTBOX_INVALID_CONFIG', message: 'Internal error' },
    });
  });
});
