import { describe, expect, it, vi } from 'vitest';
import { DockerUnavailableError, TestingConfigError } from '../errors.js';
import { planStack } from './plan-stack.js';

const docker = (available: boolean) => vi.fn(async () => ({ available, detail: available ? 'ok' : 'no socket' }));

describe('planStack', () => {
  it('uses embedded servers when nothing is set and Docker is unreachable', async () => {
    const probe = docker(false);
    expect(await planStack({ env: {}, dockerAvailable: probe })).toEqual({
      postgres: 'embedded',
      dynamodb: 'embedded',
      sqs: 'embedded',
    });
    expect(probe).toHaveBeenCalledOnce();
  });

  it('uses containers when Docker answers', async () => {
    expect(await planStack({ env: {}, dockerAvailable: docker(true) })).toEqual({
      postgres: 'container',
      dynamodb: 'container',
      sqs: 'container',
    });
  });

  it('prefers environment variables per service over Docker and embedded servers', async () => {
    const env = { CHECKOUT_POSTGRES_URL: 'postgres://u:p@db:5432/x', CHECKOUT_SQS_ENDPOINT: 'http://sqs:4566' };
    expect(await planStack({ env, dockerAvailable: docker(true) })).toEqual({
      postgres: 'env',
      dynamodb: 'container',
      sqs: 'env',
    });
    expect(await planStack({ env, dockerAvailable: docker(false) })).toEqual({
      postgres: 'env',
      dynamodb: 'embedded',
      sqs: 'env',
    });
  });

  it('does not probe Docker when every service comes from the environment', async () => {
    const probe = docker(true);
    const env = {
      CHECKOUT_POSTGRES_URL: 'postgres://u:p@db:5432/x',
      CHECKOUT_DYNAMODB_ENDPOINT: 'http://ddb:8000',
      CHECKOUT_SQS_ENDPOINT: 'http://sqs:4566',
    };
    expect(await planStack({ env, dockerAvailable: probe })).toEqual({ postgres: 'env', dynamodb: 'env', sqs: 'env' });
    expect(probe).not.toHaveBeenCalled();
  });

  it('treats an empty variable as unset', async () => {
    const plan = await planStack({ env: { CHECKOUT_POSTGRES_URL: '' }, dockerAvailable: docker(false) });
    expect(plan.postgres).toBe('embedded');
  });

  it('never probes Docker in embedded mode, from the option or the environment', async () => {
    const probe = docker(true);
    expect((await planStack({ env: {}, mode: 'embedded', dockerAvailable: probe })).postgres).toBe('embedded');
    expect((await planStack({ env: { CHECKOUT_STACK_MODE: 'embedded' }, dockerAvailable: probe })).sqs).toBe(
      'embedded',
    );
    expect(probe).not.toHaveBeenCalled();
  });

  it('fails with a typed error when containers are demanded and Docker is unreachable', async () => {
    const error = await planStack({ env: {}, mode: 'containers', dockerAvailable: docker(false) }).catch((e) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect(error.code).toBe('TESTING_DOCKER_UNAVAILABLE');
    expect(error.message).toContain('no socket');
  });

  it('rejects an unknown mode naming the variable', async () => {
    await expect(planStack({ env: { CHECKOUT_STACK_MODE: 'cloud' }, dockerAvailable: docker(true) })).rejects.toThrow(
      TestingConfigError,
    );
    await expect(planStack({ env: { CHECKOUT_STACK_MODE: 'cloud' }, dockerAvailable: docker(true) })).rejects.toThrow(
      /CHECKOUT_STACK_MODE/,
    );
  });

  it('a bad mode is a TestingConfigError whose field is the variable or the option', async () => {
    const fromEnv = await planStack({ env: { CHECKOUT_STACK_MODE: 'cloud' }, dockerAvailable: docker(true) }).catch(
      (e: unknown) => e,
    );
    expect(fromEnv).toMatchObject({ code: 'TESTING_INVALID_CONFIG', field: 'CHECKOUT_STACK_MODE', httpStatus: 500 });
    const probe = docker(true);
    const fromOption = await planStack({ env: {}, mode: 'cloud' as 'auto', dockerAvailable: probe }).catch(
      (e: unknown) => e,
    );
    expect(fromOption).toBeInstanceOf(TestingConfigError);
    expect(fromOption).toMatchObject({ code: 'TESTING_INVALID_CONFIG', field: 'mode' });
    expect(probe).not.toHaveBeenCalled();
  });
});
