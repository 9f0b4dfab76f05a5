import { DependencyUnavailableError } from '@checkout/core';
import { IdempotencyInProgressError, IdempotencyKeyReuseError } from '@checkout/idempotency';
import { NotFoundError } from '@checkout/state-machine';
import { describe, expect, it } from 'vitest';
import {
  InvalidCartError,
  InvalidRequestError,
  OrderNotFoundError,
  ProviderUnavailableError,
  UnauthenticatedError,
  UnknownSkuError,
} from '../errors.js';
import { MAX_LISTED_ISSUES } from './bounded-echo.js';
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
      body: { error: { code: 'STATE_MACHINE_NOT_FOUND' } },
    });
    const reused = errorResponse(new IdempotencyKeyReuseError());
    expect(reused?.status).toBe(422);
  });

  it('answers 409 with Retry-After while the first attempt runs', () => {
    const response = errorResponse(new IdempotencyInProgressError(3));
    expect(response?.status).toBe(409);
    expect(response?.headers['Retry-After']).toBe('3');
  });

  it('maps a missing principal to 401, a bad header or path field to 400 naming it, a foreign order to 404', () => {
    expect(errorResponse(new UnauthenticatedError('no principal'))).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(
      errorResponse(
        new InvalidRequestError([{ path: 'Idempotency-Key', message: 'must not contain control characters' }]),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', issues: [{ path: 'Idempotency-Key' }] } },
    });
    const notFound = errorResponse(new OrderNotFoundError());
    expect(notFound).toMatchObject({
      status: 404,
      body: { error: { code: 'ORDER_NOT_FOUND', message: 'order not found' } },
    });
  });

  it('bounds what an error body echoes: names cut short, a few issues listed, the rest counted', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const issues = Array.from({ length: 5_000 }, (_, i) => ({ path: `${huge}${i}`, message: huge }));
    const response = errorResponse(new InvalidCartError(issues));
    const text = JSON.stringify(response?.body);
    // Worst case: 10 issues of a 128-character path and a 200-character message, plus a 1,000-character summary.
    expect(text.length).toBeLessThan(8_192);
    const body = response?.body as { error: { issues: unknown[]; moreIssues: number; message: string } };
    expect(body.error.issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(body.error.moreIssues).toBe(5_000 - MAX_LISTED_ISSUES);
    expect(body.error.message).toContain('…');
    expect(body.error.message).toContain(`and ${5_000 - MAX_LISTED_ISSUES} more`);
    // Worst case for the README's bound: every echoed character needs a JSON escape (\u0001).
    const escaped = '\u0001'.repeat(1024 * 1024);
    const worst = errorResponse(
      new InvalidCartError(Array.from({ length: 50 }, () => ({ path: escaped, message: escaped }))),
    );
    expect(JSON.stringify(worst?.body).length).toBeLessThan(30_000);
    // Every other 4xx is bounded too, e.g. the state machine's NotFoundError repeats the id it was given.
    expect(JSON.stringify(errorResponse(new NotFoundError(huge))?.body).length).toBeLessThan(2_048);
    expect(JSON.stringify(errorResponse(new UnknownSkuError(huge))?.body).length).toBeLessThan(2_048);
  });

  it('keeps a few issues whole and lists no moreIssues', () => {
    const response = errorResponse(new InvalidCartError([{ path: 'lines.0.sku', message: 'bad' }]));
    expect(response?.body).toEqual({
      error: {
        code: 'INVALID_CART',
        message: 'invalid cart: lines.0.sku: bad',
        issues: [{ path: 'lines.0.sku', message: 'bad' }],
      },
    });
  });

  it('leaves unknown and 5xx errors to the adapter (500, no details)', () => {
    expect(errorResponse(new Error('boom'))).toBeUndefined();
    expect(errorResponse(new ProviderUnavailableError('down'))).toBeUndefined();
  });

  it('answers a dependency outage 503 with Retry-After and no details', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' });
    const response = errorResponse(
      new DependencyUnavailableError({ dependency: 'postgres', retryAfterSeconds: 2, cause }),
    );
    expect(response).toEqual({
      status: 503,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '2' },
      body: { error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'Internal error' } },
    });
  });
});
