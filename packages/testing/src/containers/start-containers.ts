import type { PostgresEndpoint } from '../stack/types.js';

/** Images used when Docker is reachable; override with CHECKOUT_POSTGRES_IMAGE / CHECKOUT_LOCALSTACK_IMAGE. */
const POSTGRES_IMAGE = 'postgres:17-alpine';
const LOCALSTACK_IMAGE = 'localstack/localstack:4';

/** Starts Postgres in a container (testcontainers), imported lazily so the embedded path never loads it. */
export async function startPostgresContainer(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ endpoint: PostgresEndpoint; stop: () => Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(env.CHECKOUT_POSTGRES_IMAGE ?? POSTGRES_IMAGE)
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=300'])
    .start();
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

/** Starts one LocalStack container serving both DynamoDB and SQS. */
export async function startLocalstackContainer(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const container = await new LocalstackContainer(env.CHECKOUT_LOCALSTACK_IMAGE ?? LOCALSTACK_IMAGE)
    .withEnvironment({ SERVICES: 'sqs,dynamodb' })
    .start();
  return {
    endpoint: container.getConnectionUri(),
    stop: async () => {
      await container.stop();
    },
  };
}
