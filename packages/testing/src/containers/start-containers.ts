import { ServiceStartError } from '../errors.js';
import type { PostgresEndpoint, ServiceName } from '../stack/types.js';

/** Images used when Docker is reachable; override with CHECKOUT_POSTGRES_IMAGE / CHECKOUT_LOCALSTACK_IMAGE. */
const POSTGRES_IMAGE = 'postgres:17-alpine';
const LOCALSTACK_IMAGE = 'localstack/localstack:4';

type Env = Readonly<Record<string, string | undefined>>;

/** The testcontainers modules, loaded lazily so the embedded path never loads them (a seam for tests). */
export interface ContainerModules {
  readonly postgres: () => Promise<typeof import('@testcontainers/postgresql')>;
  readonly localstack: () => Promise<typeof import('@testcontainers/localstack')>;
}

const modules: ContainerModules = {
  postgres: () => import('@testcontainers/postgresql'),
  localstack: () => import('@testcontainers/localstack'),
};

function fixFor(service: ServiceName, image: string, imageVariable: string): string {
  const endpointVariable =
    service === 'postgres' ? 'CHECKOUT_POSTGRES_URL' : `CHECKOUT_${service.toUpperCase()}_ENDPOINT`;
  return (
    `check that Docker can pull and run ${image} (or set ${imageVariable}), ` +
    `or set ${endpointVariable}, or use CHECKOUT_STACK_MODE=embedded`
  );
}

/** Runs one container start; any failure (module load, pull, start, wait) becomes a {@link ServiceStartError}. */
async function startTyped<T>(
  service: ServiceName,
  image: string,
  imageVariable: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ServiceStartError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ServiceStartError(service, `the ${image} container did not start (${detail.slice(0, 500)})`, {
      fix: fixFor(service, image, imageVariable),
      cause: error,
    });
  }
}

/** Starts Postgres in a container (testcontainers). Every failure is a {@link ServiceStartError}. */
export async function startPostgresContainer(
  env: Env,
  load: ContainerModules = modules,
): Promise<{ endpoint: PostgresEndpoint; stop: () => Promise<void> }> {
  const image = env.CHECKOUT_POSTGRES_IMAGE ?? POSTGRES_IMAGE;
  const container = await startTyped('postgres', image, 'CHECKOUT_POSTGRES_IMAGE', async () => {
    const { PostgreSqlContainer } = await load.postgres();
    return new PostgreSqlContainer(image)
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=300'])
      .start();
  });
  return {
    endpoint: {
      source: 'container',
      url: container.getConnectionUri(),
      host: container.getHost(),
      port: container.getPort(),
      user: container.getUsername(),
      password: container.getPassword(),
      database: container.getDatabase(),
    },
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * Starts one LocalStack container serving both DynamoDB and SQS. `service` is the one that asked first
 * (named by the error if the start fails). Every failure is a {@link ServiceStartError}.
 */
export async function startLocalstackContainer(
  env: Env,
  service: ServiceName,
  load: ContainerModules = modules,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const image = env.CHECKOUT_LOCALSTACK_IMAGE ?? LOCALSTACK_IMAGE;
  const container = await startTyped(service, image, 'CHECKOUT_LOCALSTACK_IMAGE', async () => {
    const { LocalstackContainer } = await load.localstack();
    return new LocalstackContainer(image).withEnvironment({ SERVICES: 'sqs,dynamodb' }).start();
  });
  return {
    endpoint: container.getConnectionUri(),
    stop: async () => {
      await container.stop();
    },
  };
}
