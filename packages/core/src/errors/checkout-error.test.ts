import { describe, expect, it } from 'vitest';
import { toHttpResponse } from '../http/to-http-response.js';
import { CheckoutError, isCheckoutError } from './checkout-error.js';
import { fieldPath } from './field-path.js';

class ShippingError extends CheckoutError {
  constructor(message: string, retryAfterSeconds?: number) {
    super('SHIPPING_UNAVAILABLE', message, {
      httpStatus: 503,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
}

class CartLineError extends CheckoutError {
  constructor(index: number) {
    super('CART_BAD_LINE', 'quantity must be positive', {
      httpStatus: 400,
      field: fieldPath('lines', index, 'quantity'),
    });
  }
  override responseDetails() {
    return { line: 2, code: 'overridden?' };
  }
}

describe('CheckoutError', () => {
  it('carries code, status, field and cause, with its subclass name', () => {
    const cause = new Error('root');
    const error = new CheckoutError('X_BAD', 'bad', { httpStatus: 422, field: 'a.b', cause });
    expect(error).toMatchObject({ name: 'CheckoutError', code: 'X_BAD', httpStatus: 422, field: 'a.b' });
    expect(error.cause).toBe(cause);
    expect(new ShippingError('down').name).toBe('ShippingError');
    expect(new ShippingError('down').httpStatus).toBe(503);
    expect(new CheckoutError('X', 'm').httpStatus).toBe(500);
  });

  it('is recognized by brand, not by the class identity of one copy', () => {
    expect(isCheckoutError(new ShippingError('x'))).toBe(true);
    expect(isCheckoutError(new Error('x'))).toBe(false);
    expect(isCheckoutError({ code: 'X', httpStatus: 400 })).toBe(false);
    expect(isCheckoutError(null)).toBe(false);
    // A second copy of the package brands with the same registered symbol.
    const foreign = new Error('other copy');
    Object.defineProperty(foreign, Symbol.for('@checkout/core/CheckoutError'), { value: true });
    expect(isCheckoutError(foreign)).toBe(true);
  });
});

describe('fieldPath', () => {
  it('writes one accessor format', () => {
    expect(fieldPath('lines', 2, 'quantity')).toBe('lines[2].quantity');
    expect(fieldPath('messages', 0, 'attributes', 'trace id')).toBe('messages[0].attributes["trace id"]');
    expect(fieldPath('payload', 'x', '0', 'y')).toBe('payload.x["0"].y');
    expect(fieldPath(0)).toBe('[0]');
    expect(fieldPath('a"b')).toBe('["a\\"b"]');
    expect(fieldPath()).toBe('');
  });
});

describe('toHttpResponse', () => {
  it('answers 4xx with code, message, field and details (details never replace the core keys)', () => {
    const answer = toHttpResponse(new CartLineError(2));
    expect(answer?.status).toBe(400);
    expect(answer?.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      error: { code: 'CART_BAD_LINE', message: 'quantity must be positive', field: 'lines[2].quantity', line: 2 },
    });
  });

  it('hides the message of 5xx and sets Retry-After', () => {
    const answer = toHttpResponse(new ShippingError('db password wrong at 10.0.0.1', 2.5));
    expect(answer?.status).toBe(503);
    expect(answer?.headers['Retry-After']).toBe('3');
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      error: { code: 'SHIPPING_UNAVAILABLE', message: 'Internal error' },
    });
  });

  it('leaves other errors to the caller and bounds echoed messages', () => {
    expect(toHttpResponse(new Error('x'))).toBeUndefined();
    expect(toHttpResponse('x')).toBeUndefined();
    const long = toHttpResponse(new CheckoutError('X', 'y'.repeat(10_000), { httpStatus: 400 }));
    expect((JSON.parse(long?.body ?? '') as { error: { message: string } }).error.message.length).toBeLessThan(600);
  });

  it('never throws on a hostile error', () => {
    class Hostile extends CheckoutError {
      override responseDetails(): never {
        throw new Error('boom');
      }
    }
    const answer = toHttpResponse(new Hostile('X', 'm', { httpStatus: 418 }));
    expect(answer?.status).toBe(418);
    const badStatus = new CheckoutError('X', 'm', { httpStatus: 200 });
    expect(toHttpResponse(badStatus)?.status).toBe(500);
  });
});

describe('toHttpResponse on hostile errors', () => {
  it('drops details JSON cannot hold and keeps the answer', () => {
    class BigDetail extends CheckoutError {
      override responseDetails() {
        return { amount: 10n } as unknown as Record<string, never>;
      }
    }
    const answer = toHttpResponse(new BigDetail('X_BIG', 'm', { httpStatus: 400 }));
    expect(answer?.status).toBe(400);
    expect(JSON.parse(answer?.body ?? '')).toEqual({ error: { code: 'X_BIG', message: 'm' } });
  });

  it('answers 500 when a getter throws, and leaves a throwing Proxy alone', () => {
    const error = new CheckoutError('X', 'm', { httpStatus: 400 });
    Object.defineProperty(error, 'message', {
      get() {
        throw new Error('boom');
      },
    });
    expect(toHttpResponse(error)?.status).toBe(500);
    const proxy = new Proxy(new Error('p'), {
      get() {
        throw new Error('trap');
      },
    });
    expect(toHttpResponse(proxy)).toBeUndefined();
  });

  it('never sends a Retry-After that is not a whole number of seconds', () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NaN, -1, 1e300]) {
      const answer = toHttpResponse(new CheckoutError('X', 'm', { httpStatus: 503, retryAfterSeconds: value }));
      expect(answer?.headers['Retry-After']).toBeUndefined();
    }
    expect(
      toHttpResponse(new CheckoutError('X', 'm', { httpStatus: 503, retryAfterSeconds: 0.2 }))?.headers['Retry-After'],
    ).toBe('1');
  });

  it('writes non-index numbers as keys, so a path is never ambiguous', () => {
    expect(fieldPath('a', -1)).toBe('a["-1"]');
    expect(fieldPath('a', 1.5)).toBe('a["1.5"]');
    expect(fieldPath('a', Number.NaN)).toBe('a["NaN"]');
  });
});
