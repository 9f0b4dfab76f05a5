import { describe, expect, it } from 'vitest';
import { toHttpResponse } from '../http/to-http-response.js';
import { isCheckoutError } from './checkout-error.js';
import {
  DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
  DependencyUnavailableError,
  dependencyUnavailable,
} from './dependency-unavailable.js';

describe('DependencyUnavailableError', () => {
  it('is a retryable 503 with Retry-After and hides its details from the body', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const error = dependencyUnavailable(cause, { dependency: 'postgres', retryAfterSeconds: 3 });
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(isCheckoutError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      httpStatus: 503,
      retryAfterSeconds: 3,
      dependency: 'postgres',
      failure: { kind: 'connection', reason: 'ECONNREFUSED' },
      message: 'postgres is unavailable (connection: ECONNREFUSED)',
    });
    expect(error?.cause).toBe(cause);
    const answer = toHttpResponse(error);
    expect(answer?.status).toBe(503);
    expect(answer?.headers['Retry-After']).toBe('3');
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'Internal error' },
    });
    expect(answer?.body).not.toContain('10.0.0.1');
  });

  it('defaults Retry-After; returns an existing one as is; undefined for non-transient errors', () => {
    const error = new DependencyUnavailableError({ dependency: 'dynamodb' });
    expect(error.retryAfterSeconds).toBe(DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS);
    expect(error.failure).toBeUndefined();
    expect(dependencyUnavailable(error, { dependency: 'postgres' })).toBe(error);
    expect(dependencyUnavailable(new Error('syntax error'), { dependency: 'postgres' })).toBeUndefined();
    expect(dependencyUnavailable(undefined, { dependency: 'postgres' })).toBeUndefined();
  });

  it('refuses bad options with a TypeError', () => {
    for (const dependency of ['', ' postgres', 'a'.repeat(65), 'p\n', 7 as unknown as string]) {
      expect(() => new DependencyUnavailableError({ dependency })).toThrow(TypeError);
    }
    for (const retryAfterSeconds of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 86_401]) {
      expect(() => new DependencyUnavailableError({ dependency: 'sqs', retryAfterSeconds })).toThrow(TypeError);
    }
    expect(new DependencyUnavailableError({ dependency: 'sqs', retryAfterSeconds: 0 }).retryAfterSeconds).toBe(0);
  });
});
