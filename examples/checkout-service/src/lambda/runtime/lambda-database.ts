import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { CheckoutDatabase } from '../../db/database.js';
import { MissingEnvironmentError } from '../../errors.js';
import { createBoundedPool } from '../../service/bounded-clients.js';
import type { LambdaEnvironment } from './lambda-environment.js';

/**
 * Connections of the one pool a Lambda container holds. A container handles one invocation at a
 * time; a worker runs up to its stage's concurrency of records inside it, so a few connections, not
 * one. RDS Proxy multiplexes these onto the database's own connections.
 */
export const LAMBDA_POOL_MAX = 3;

/** The database connection of a Lambda container: Kysely over one small pool. */
export interface LambdaDatabase {
  readonly db: Kysely<CheckoutDatabase>;
  readonly pool: pg.Pool;
}

/** Reads a database password from a Secrets Manager secret (JSON with `password`, as RDS writes them). */
async function passwordFromSecret(client: SecretsManagerClient, secretArn: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed: unknown = JSON.parse(SecretString ?? 'null');
  const password =
    typeof parsed === 'object' && parsed !== null ? (parsed as { password?: unknown }).password : undefined;
  if (typeof password !== 'string') throw new Error(`secret ${secretArn} has no string "password" field`);
  return password;
}

/**
 * The container's pool, from the variables `CheckoutDatabase.connectionEnvironment` sets:
 * `CHECKOUT_DB_HOST` (the RDS Proxy endpoint), `CHECKOUT_DB_PORT`, `CHECKOUT_DB_NAME`,
 * `CHECKOUT_DB_USER` and `CHECKOUT_DB_AUTH`:
 * - `iam` (what the construct sets: the proxy has IAM auth and requires TLS): a fresh IAM auth token
 *   from `@aws-sdk/rds-signer` for every new connection (tokens live 15 minutes), over verified TLS.
 * - `secret`: the password of the JSON secret `CHECKOUT_DB_SECRET_ARN` (read once per container),
 *   TLS unless `CHECKOUT_DB_TLS` is `disable` (a database without a proxy, or the local run).
 */
export async function createLambdaDatabase(env: LambdaEnvironment): Promise<LambdaDatabase> {
  const host = env.require('CHECKOUT_DB_HOST');
  const port = Number(env.require('CHECKOUT_DB_PORT'));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new MissingEnvironmentError('CHECKOUT_DB_PORT', env.handler);
  }
  const database = env.require('CHECKOUT_DB_NAME');
  const user = env.require('CHECKOUT_DB_USER');
  const auth = env.require('CHECKOUT_DB_AUTH');
  let password: string | (() => Promise<string>);
  let ssl: pg.PoolConfig['ssl'];
  if (auth === 'iam') {
    const signer = new Signer({ hostname: host, port, username: user, region: env.require('AWS_REGION') });
    password = () => signer.getAuthToken();
    ssl = { rejectUnauthorized: true, servername: host };
  } else if (auth === 'secret') {
    password = await passwordFromSecret(new SecretsManagerClient({}), env.require('CHECKOUT_DB_SECRET_ARN'));
    ssl = env.optional('CHECKOUT_DB_TLS') === 'disable' ? false : { rejectUnauthorized: true, servername: host };
  } else {
    throw new Error(`${env.handler}: CHECKOUT_DB_AUTH must be "iam" or "secret", got ${JSON.stringify(auth)}`);
  }
  // The service's one pool settings (connect, statement, query and idle-in-transaction bounds).
  const pool = createBoundedPool({
    host,
    port,
    database,
    user,
    password,
    ssl,
    max: LAMBDA_POOL_MAX,
    // No prepared statements (`preparedStatements` stays 0): through RDS Proxy a named statement
    // pins the session to one database connection.
    // Below the proxy's idle client timeout (30 min): a frozen container's sockets are dropped first.
    idleTimeoutMillis: 60_000,
    // A connection that dies outside a query (proxy restart, container thaw) must not crash the container.
    onError: (error) => console.error('checkout lambda: database connection failed', error.message),
  });
  return { db: new Kysely<CheckoutDatabase>({ dialect: new PostgresDialect({ pool }) }), pool };
}
