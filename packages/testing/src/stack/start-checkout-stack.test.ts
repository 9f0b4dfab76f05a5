import { describe, expect, it } from 'vitest';
import { TestingConfigError, TestingError } from '../errors.js';
import { type StartCheckoutStackOptions, startCheckoutStack } from './start-checkout-stack.js';

// Every case fails before anything is probed or started: no server, no container, no watchdog.
const embeddedEnv = { CHECKOUT_STACK_MODE: 'embedded' };

describe('startCheckoutStack options', () => {
  it.each([
    ['mode', { mode: 'cloud' }],
    ['region', { region: 'US East 1' }],
    ['region', { region: '' }],
    ['env', { env: null }],
    ['postgres', { postgres: 'fast' }],
    ['postgres.maxConnections', { postgres: { maxConnections: 1.5 } }],
    ['postgres.maxConnections', { postgres: { maxConnections: 0 } }],
    ['postgres.durable', { postgres: { durable: 'yes' } }],
  ])('rejects a bad %s with a TestingConfigError naming it', async (field, options) => {
    const error = await startCheckoutStack({ env: embeddedEnv, ...options } as StartCheckoutStackOptions).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TestingConfigError);
    expect(error).toBeInstanceOf(TestingError);
    expect(error).toMatchObject({ code: 'TESTING_INVALID_CONFIG', field, httpStatus: 500 });
  });

  it.each([
    ['CHECKOUT_POSTGRES_URL', 'not a url'],
    ['CHECKOUT_POSTGRES_URL', 'mysql://localhost/db'],
    ['CHECKOUT_DYNAMODB_ENDPOINT', 'localhost:8000'],
    ['CHECKOUT_SQS_ENDPOINT', 'ftp://127.0.0.1:9324'],
  ])('rejects a bad %s (%s) naming the variable', async (variable, value) => {
    const env = {
      CHECKOUT_POSTGRES_URL: 'postgres://u:p@127.0.0.1:1/db',
      CHECKOUT_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      CHECKOUT_SQS_ENDPOINT: 'http://127.0.0.1:1',
      [variable]: value,
    };
    const error = await startCheckoutStack({ env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingConfigError);
    expect(error).toMatchObject({ code: 'TESTING_INVALID_CONFIG', field: variable });
  });
});
