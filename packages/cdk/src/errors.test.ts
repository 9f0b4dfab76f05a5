import { CheckoutError, isCheckoutError, toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import {
  CheckoutCdkConfigError,
  CheckoutCdkError,
  ConcurrencyMisconfiguredError,
  VisibilityTimeoutTooShortError,
} from './errors.js';

describe('CheckoutCdkError', () => {
  it('every error is a CheckoutError with a CDK_ code, status 500 and the construct path', () => {
    const errors = [
      new CheckoutCdkConfigError('S/Q', 'maxReceiveCount', 'must be an integer'),
      new VisibilityTimeoutTooShortError('S/Q', 60, 30, 'visibilityTimeout'),
      new ConcurrencyMisconfiguredError('S/W', 8, 4),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(CheckoutCdkError);
      expect(error).toBeInstanceOf(CheckoutError);
      expect(isCheckoutError(error)).toBe(true);
      expect(error.code).toMatch(/^CDK_[A-Z_]+$/);
      expect(error.httpStatus).toBe(500);
      expect(error.field).toBeDefined();
      expect(error.message.startsWith(`${error.constructPath}: `)).toBe(true);
      expect(toHttpResponse(error)?.status).toBe(500);
    }
    expect(errors[0]).toMatchObject({
      name: 'CheckoutCdkConfigError',
      code: 'CDK_INVALID_CONFIG',
      field: 'maxReceiveCount',
    });
  });
});
