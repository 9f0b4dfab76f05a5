import { fieldPath } from '@checkout/core';
import { startLocalstackContainer, startPostgresContainer } from '../containers/start-containers.js';
import { startDynamoDbLocal } from '../embedded/dynamodb-local.js';
import {
  type EmbeddedPostgresOptions,
  launchEmbeddedPostgres,
  type PostgresRestart,
  type RestartPostgresOptions,
} from '../embedded/embedded-postgres.js';
import { startFauxqs } from '../embedded/fauxqs.js';
import { TestingConfigError } from '../errors.js';
import { probeDocker } from './docker-probe.js';
import { planStack, STACK_ENV, type StackPlan } from './plan-stack.js';
import { Reaper, sweepOrphans } from './reaper.js';
import type {
  AwsEndpoint,
  CheckoutStack,
  CheckoutStackInfo,
  LocalAwsCredentials,
  PostgresEndpoint,
  ServiceName,
  ServiceSource,
  StackMode,
} from './types.js';

/** Options of {@link startCheckoutStack}. Every field is optional. */
export interface StartCheckoutStackOptions {
  /** Overrides `CHECKOUT_STACK_MODE` (`auto` by default). */
  readonly mode?: StackMode;
  /** Environment to read endpoints from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Region reported for the local AWS endpoints. Default `us-east-1`. */
  readonly region?: string;
  /** Options of the embedded Postgres server (ignored for other sources). */
  readonly postgres?: EmbeddedPostgresOptions;
}

/** The credentials handed to SDK clients for local endpoints (the emulators accept any). */
export const LOCAL_AWS_CREDENTIALS: LocalAwsCredentials = {
  accessKeyId: 'checkoutkit',
  secretAccessKey: 'checkoutkit',
};

function awsEndpoint(source: ServiceSource, endpoint: string, region: string): AwsEndpoint {
  return {
    source,
    endpoint,
    region,
    credentials: { ...LOCAL_AWS_CREDENTIALS },
    // A copy per endpoint: the SDK writes bookkeeping fields onto the credentials object it is given.
    clientConfig: { endpoint, region, credentials: { ...LOCAL_AWS_CREDENTIALS } },
  };
}

function postgresFromUrl(raw: string): PostgresEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TestingConfigError(STACK_ENV.postgres, 'is not a URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TestingConfigError(STACK_ENV.postgres, `must start with postgres:// (got ${url.protocol}//)`);
  }
  return {
    source: 'env',
    url: raw,
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, '') || 'postgres',
  };
}

function envEndpoint(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name] ?? '';
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new TestingConfigError(name, `must be an http(s) URL, got ${JSON.stringify(value.slice(0, 200))}`);
  }
  return value;
}

const MODES: ReadonlySet<unknown> = new Set(['auto', 'containers', 'embedded']);
// Loose on purpose (emulators take any region); it only has to be a host-name label for the SDK.
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Rejects a bad option before anything is probed or started, naming it. */
function checkOptions(options: StartCheckoutStackOptions): void {
  if (typeof options !== 'object' || options === null) throw new TestingConfigError('options', 'must be an object');
  if (options.mode !== undefined && !MODES.has(options.mode)) {
    throw new TestingConfigError(
      'mode',
      `must be one of auto, containers, embedded; got ${String(JSON.stringify(options.mode)).slice(0, 80)}`,
    );
  }
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) {
    throw new TestingConfigError('env', 'must be an object of environment variables');
  }
  if (
    options.region !== undefined &&
    (typeof options.region !== 'string' || options.region.length > 40 || !REGION.test(options.region))
  ) {
    throw new TestingConfigError(
      'region',
      `must be an AWS region such as us-east-1, got ${String(JSON.stringify(options.region)).slice(0, 80)}`,
    );
  }
  const postgres = options.postgres;
  if (postgres === undefined) return;
  if (typeof postgres !== 'object' || postgres === null) throw new TestingConfigError('postgres', 'must be an object');
  if (postgres.durable !== undefined && typeof postgres.durable !== 'boolean') {
    throw new TestingConfigError(fieldPath('postgres', 'durable'), 'must be a boolean');
  }
  const max = postgres.maxConnections;
  if (max !== undefined && (!Number.isInteger(max) || max < 2 || max > 10_000)) {
    throw new TestingConfigError(
      fieldPath('postgres', 'maxConnections'),
      `must be an integer in [2, 10000], got ${String(max)}`,
    );
  }
}

/**
 * Starts (or finds) Postgres, DynamoDB and SQS for tests and demos. For each service: its
 * environment variable (`CHECKOUT_POSTGRES_URL`, `CHECKOUT_DYNAMODB_ENDPOINT`,
 * `CHECKOUT_SQS_ENDPOINT`) when set; else testcontainers when a Docker daemon answers; else an
 * embedded server on 127.0.0.1 (embedded-postgres, DynamoDB Local on Java 17, fauxqs in-process).
 * Ports are chosen free; data directories live under the OS temp folder and go on `stop()`.
 * A watchdog process ends every server it started even if this process is killed.
 *
 * A bad option or variable is a `TestingConfigError` naming it (before anything starts); every
 * start failure, embedded or container, is a `ServiceStartError` (or `JavaNotFoundError`) with a
 * fix, and stops whatever had already started.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { startCheckoutStack } from '@checkout/testing';
 *
 * const stack = await startCheckoutStack();
 * const sqs = new SQSClient(stack.sqs.clientConfig);
 * // ... use stack.postgres.url, stack.dynamodb.clientConfig
 * await stack.stop();
 * ```
 */
export async function startCheckoutStack(options: StartCheckoutStackOptions = {}): Promise<CheckoutStack> {
  checkOptions(options);
  const env = options.env ?? process.env;
  const region = options.region ?? 'us-east-1';
  const plan: StackPlan = await planStack({ env, mode: options.mode, dockerAvailable: () => probeDocker(env) });
  sweepOrphans();
  const reaper = new Reaper();
  const stops: Array<() => Promise<void>> = [];
  const startupMs: Record<ServiceName, number> = { postgres: 0, dynamodb: 0, sqs: 0 };
  const timed = async <T>(service: ServiceName, start: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    const result = await start();
    startupMs[service] = Math.round(performance.now() - began);
    return result;
  };

  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
    reaper.close();
  };

  let restartEmbedded: ((options?: RestartPostgresOptions) => Promise<PostgresRestart>) | undefined;

  try {
    const postgresTask = (async (): Promise<PostgresEndpoint> => {
      if (plan.postgres === 'env') return postgresFromUrl(env[STACK_ENV.postgres] ?? '');
      if (plan.postgres === 'container') {
        const container = await timed('postgres', () => startPostgresContainer(env));
        stops.push(container.stop);
        return container.endpoint;
      }
      const started = await timed('postgres', () => launchEmbeddedPostgres(reaper, options.postgres));
      stops.push(started.stop);
      restartEmbedded = started.restart;
      return started.endpoint;
    })();

    // One LocalStack container serves both AWS services when both need a container.
    let localstack: Promise<string> | undefined;
    const containerAws = (service: ServiceName): Promise<string> => {
      localstack ??= timed(service, async () => {
        const started = await startLocalstackContainer(env, service);
        stops.push(started.stop);
        return started.endpoint;
      });
      return localstack;
    };

    const dynamodbTask = (async (): Promise<AwsEndpoint> => {
      if (plan.dynamodb === 'env') return awsEndpoint('env', envEndpoint(env, STACK_ENV.dynamodb), region);
      if (plan.dynamodb === 'container') return awsEndpoint('container', await containerAws('dynamodb'), region);
      const started = await timed('dynamodb', () => startDynamoDbLocal(reaper));
      stops.push(started.stop);
      return awsEndpoint('embedded', started.endpoint, region);
    })();

    const sqsTask = (async (): Promise<AwsEndpoint> => {
      if (plan.sqs === 'env') return awsEndpoint('env', envEndpoint(env, STACK_ENV.sqs), region);
      if (plan.sqs === 'container') return awsEndpoint('container', await containerAws('sqs'), region);
      const started = await timed('sqs', () => startFauxqs(region));
      stops.push(started.stop);
      return awsEndpoint('embedded', started.endpoint, region);
    })();

    const settled = await Promise.allSettled([postgresTask, dynamodbTask, sqsTask]);
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    const [postgres, dynamodb, sqs] = settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [
      PostgresEndpoint,
      AwsEndpoint,
      AwsEndpoint,
    ];
    const info: CheckoutStackInfo = { postgres, dynamodb, sqs, startupMs: { ...startupMs } };
    let stopping: Promise<void> | undefined;
    return {
      ...info,
      info,
      restartPostgres: async (restartOptions?: RestartPostgresOptions) => {
        if (restartEmbedded === undefined) {
          throw new TestingConfigError(
            fieldPath('postgres', 'source'),
            postgres.source === 'env'
              ? 'is env (CHECKOUT_POSTGRES_URL): a server the stack did not start cannot be restarted by it; restart it yourself, or use startEmbeddedPostgres()'
              : 'is container: restartPostgres supports the embedded server only (a container restart may move its port); use startEmbeddedPostgres() or CHECKOUT_STACK_MODE=embedded',
          );
        }
        if (stopping !== undefined) throw new TestingConfigError('postgres', 'was stopped with the stack');
        return restartEmbedded(restartOptions);
      },
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
