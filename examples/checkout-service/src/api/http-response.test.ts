import { IdempotencyInProgressError, IdempotencyKeyReuseError } from '@checkout/idempotency';
import { NotFoundError } from '@checkout/state-machine';
import { describe, expect, it } from 'vitest';
import { InvalidCartError, ProviderUnavailableError, UnknownSkuError } from '../errors.js';
import { errorResponse } from './http-response.js';

describe('errorResponse', () => {
  it('maps the typed errors of the service and the packages to 4xx with a stable code', () => {
    expect(errorResponse(new InvalidCartError([{ path: 'lines.0.quantity', message: 'too small' }]))).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_CART', issues: [{ path: 'lines.0.quantity' }] } },
    });
    expect(errorResponse(new UnknownSkuError('nope'))).toMatchObject({
      status: 422,
      body: { error: { code: 'UNKNOWN_SKU' } },
    });
    expect(errorResponse(new NotFoundError('o-1'))).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    const reused = errorResponse(new IdempotencyKeyReuseError());
    expect(reused?.status).toBe(422);
  });

  it('answers 409 with Retry-After while the first attempt runs', () => {
    const response = errorResponse(new IdempotencyInProgressError(3));
    expect(response?.status).toBe(409);
    expect(response?.headers['Retry-After']).toBe('3');
  });

  it('leaves unknown and 5xx errors to the adapter (500, no details)', () => {
    expect(errorResponse(new Error('boom'))).toBeUndefined();
    expect(errorResponse(new ProviderUnavailableError('down'))).toBeUndefined();
  });
});
