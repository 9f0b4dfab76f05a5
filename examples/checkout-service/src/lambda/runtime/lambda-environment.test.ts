import { describe, expect, it } from 'vitest';
import { MissingEnvironmentError } from '../../errors.js';
import { lambdaEnvironment } from './lambda-environment.js';

describe('lambdaEnvironment', () => {
  it('returns a set variable', () => {
    expect(lambdaEnvironment('payment-worker', { CHECKOUT_QUEUE_URL: 'q' }).require('CHECKOUT_QUEUE_URL')).toBe('q');
  });

  it.each([
    ['missing', {}],
    ['empty', { CHECKOUT_DLQ_URL: '' }],
    ['blank', { CHECKOUT_DLQ_URL: '  ' }],
  ])('names a %s variable and the handler', (_case, env) => {
    const read = () => lambdaEnvironment('payment-worker', env).require('CHECKOUT_DLQ_URL');
    expect(read).toThrow(MissingEnvironmentError);
    expect(read).toThrow('payment-worker: environment variable CHECKOUT_DLQ_URL is missing or empty');
    try {
      read();
    } catch (error) {
      expect((error as MissingEnvironmentError).variable).toBe('CHECKOUT_DLQ_URL');
      expect((error as MissingEnvironmentError).code).toBe('MISSING_ENVIRONMENT');
    }
  });

  it('gives undefined for an optional variable that is not set', () => {
    expect(lambdaEnvironment('x', {}).optional('CHECKOUT_DB_TLS')).toBeUndefined();
  });
});
