import { createOutbox } from '@checkout/outbox';
import type { OrderDeadlines } from '@checkout/state-machine';
import { createOrderStore, TABLES } from '../db/migrations.js';
import { type DeadlineDeps, runOrderDeadlines } from '../handlers/deadline-handlers.js';
import { createLambdaDatabase } from './runtime/lambda-database.js';
import { CHECKOUT_SCHEMA } from './runtime/lambda-deps.js';
import { lambdaEnvironment } from './runtime/lambda-environment.js';

/**
 * Environment the `DeadlineSweeperFunction` construct of `@checkout/cdk` sets (plus the optional order
 * deadlines, set by the stack).
 */
export const DEADLINE_SWEEPER_ENVIRONMENT = [
  'CHECKOUT_DB_HOST',
  'CHECKOUT_DB_PORT',
  'CHECKOUT_DB_NAME',
  'CHECKOUT_DB_USER',
  'CHECKOUT_DB_AUTH',
  'DEADLINE_SWEEPER_RUN_FOR_MS',
  'DEADLINE_METRIC_NAMESPACE',
  'DEADLINE_METRIC_SERVICE',
] as const;

/** The sweeper's configuration, read from its environment. */
export interface DeadlineSweeperConfig {
  readonly db: { readonly host: string; readonly port: number; readonly database: string; readonly user: string };
  readonly schema: string;
  readonly runForMs: number;
  readonly metricNamespace: string;
  readonly metricService: string;
  readonly deadlines: OrderDeadlines;
}

function positiveInteger(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const value = Number(env[name]);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(
      `deadline sweeper: environment variable ${name} must be a positive integer, got ${JSON.stringify(env[name])}`,
    );
  }
  return value;
}

/**
 * Reads the configuration from `env`; a missing variable is an error naming it (the function fails at
 * its first invocation instead of sweeping nothing).
 */
export function readDeadlineSweeperConfig(env: Readonly<Record<string, string | undefined>>): DeadlineSweeperConfig {
  for (const name of DEADLINE_SWEEPER_ENVIRONMENT) {
    if (env[name] === undefined || env[name] === '') {
      throw new Error(
        `deadline sweeper: environment variable ${name} is not set (the DeadlineSweeperFunction construct sets it)`,
      );
    }
  }
  const optional = (name: string) => (env[name] === undefined ? undefined : positiveInteger(env, name));
  const pendingPaymentSeconds = optional('ORDER_PENDING_PAYMENT_SECONDS');
  const paymentAuthorizedSeconds = optional('ORDER_PAYMENT_AUTHORIZED_SECONDS');
  return {
    db: {
      host: env.CHECKOUT_DB_HOST ?? '',
      port: positiveInteger(env, 'CHECKOUT_DB_PORT'),
      database: env.CHECKOUT_DB_NAME ?? '',
      user: env.CHECKOUT_DB_USER ?? '',
    },
    schema: CHECKOUT_SCHEMA, // the schema every function of the service uses
    runForMs: positiveInteger(env, 'DEADLINE_SWEEPER_RUN_FOR_MS'),
    metricNamespace: env.DEADLINE_METRIC_NAMESPACE ?? '',
    metricService: env.DEADLINE_METRIC_SERVICE ?? '',
    deadlines: {
      ...(pendingPaymentSeconds === undefined ? {} : { pendingPaymentSeconds }),
      ...(paymentAuthorizedSeconds === undefined ? {} : { paymentAuthorizedSeconds }),
    },
  };
}

/** One EMF log line: the overdue count and the oldest overdue age (the construct's alarm watches the age). */
export function deadlineMetricLine(
  config: Pick<DeadlineSweeperConfig, 'metricNamespace' | 'metricService'>,
  stats: { readonly overdue: number; readonly oldestOverdueAgeSeconds: number | null },
  now = Date.now(),
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: config.metricNamespace,
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'OldestOverdueDeadlineAgeSeconds', Unit: 'Seconds' },
            { Name: 'OverdueDeadlines', Unit: 'Count' },
          ],
        },
      ],
    },
    Service: config.metricService,
    OldestOverdueDeadlineAgeSeconds: stats.oldestOverdueAgeSeconds ?? 0,
    OverdueDeadlines: stats.overdue,
  });
}

/**
 * One scheduled run: fires the due order deadlines until none is left, for at most `runForMs` (below the
 * function's timeout), then reports the overdue count and age as an EMF line.
 */
export async function sweepDeadlines(
  deps: DeadlineDeps,
  config: Pick<DeadlineSweeperConfig, 'runForMs' | 'metricNamespace' | 'metricService'>,
) {
  const result = await runOrderDeadlines(deps, {
    forMs: config.runForMs,
    untilIdle: true, // caught up: end the invocation (the next one is a minute away), not idle for forMs
    observer: { error: ({ id, error }) => console.error(JSON.stringify({ deadlineError: String(error), id })) },
  });
  console.log(deadlineMetricLine(config, await deps.orders.deadlineStats(deps.db)));
  return result;
}

let deps: DeadlineDeps | undefined;
let config: DeadlineSweeperConfig | undefined;

/**
 * The Lambda entry (EventBridge schedule): configuration from the environment, one pool per container,
 * connected as every other function is (`CHECKOUT_DB_AUTH`: an IAM auth token for the RDS Proxy, or a
 * secret's password; see `runtime/lambda-database.ts`).
 */
export async function handler(): Promise<{ readonly fired: number; readonly failed: number }> {
  config ??= readDeadlineSweeperConfig(process.env);
  if (deps === undefined) {
    const { db } = await createLambdaDatabase(lambdaEnvironment('deadline-sweeper'));
    deps = {
      db,
      schema: config.schema,
      outbox: createOutbox({ schema: config.schema, table: TABLES.outbox }),
      orders: createOrderStore(config.schema, config.deadlines),
    };
  }
  const { fired, failed } = await sweepDeadlines(deps, config);
  return { fired, failed };
}
