import { describe, expect, it } from 'vitest';
import { ServiceStartError, TestingError } from '../errors.js';
import { type ContainerModules, startLocalstackContainer, startPostgresContainer } from './start-containers.js';

/** A container class whose start fails the way testcontainers does without Docker or without the image. */
class FailingContainer {
  withCommand(): this {
    return this;
  }
  withEnvironment(): this {
    return this;
  }
  async start(): Promise<never> {
    throw new Error('(HTTP code 404) no such image - pull access denied');
  }
}

const failingModules = {
  postgres: async () => ({ PostgreSqlContainer: FailingContainer }),
  localstack: async () => ({ LocalstackContainer: FailingContainer }),
} as unknown as ContainerModules;

const noRuntime = {
  postgres: async () => {
    throw new Error('Could not find a working container runtime strategy');
  },
  localstack: async () => {
    throw new Error('Could not find a working container runtime strategy');
  },
} as unknown as ContainerModules;

describe('container start failures', () => {
  it('a Postgres container that does not start is a typed ServiceStartError with a fix and the cause', async () => {
    const error = await startPostgresContainer({ CHECKOUT_POSTGRES_IMAGE: 'postgres:0' }, failingModules).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceStartError);
    expect(error).toBeInstanceOf(TestingError);
    expect(error).toMatchObject({ code: 'TESTING_SERVICE_START_FAILED', service: 'postgres' });
    expect((error as ServiceStartError).message).toContain('postgres:0');
    expect((error as ServiceStartError).message).toContain('pull access denied');
    expect((error as ServiceStartError).fix).toContain('CHECKOUT_POSTGRES_URL');
    expect((error as ServiceStartError).cause).toBeInstanceOf(Error);
  });

  it('a LocalStack container that does not start names the service that asked for it', async () => {
    const error = await startLocalstackContainer({}, 'sqs', failingModules).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStartError);
    expect(error).toMatchObject({ code: 'TESTING_SERVICE_START_FAILED', service: 'sqs' });
    expect((error as ServiceStartError).fix).toContain('CHECKOUT_SQS_ENDPOINT');
    expect((error as ServiceStartError).fix).toContain('CHECKOUT_LOCALSTACK_IMAGE');
  });

  it('no container runtime at all is a ServiceStartError too, never a raw testcontainers error', async () => {
    for (const start of [
      () => startPostgresContainer({}, noRuntime),
      () => startLocalstackContainer({}, 'dynamodb', noRuntime),
    ]) {
      const error = await start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceStartError);
      expect((error as ServiceStartError).message).toContain('container runtime');
      expect((error as ServiceStartError).fix).toContain('CHECKOUT_STACK_MODE=embedded');
    }
  });
});
