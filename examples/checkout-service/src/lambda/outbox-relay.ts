// The scheduled outbox relay Lambda (EventBridge, every minute). Bundled by `pnpm build:lambda`.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createOutboxRelay, createSqsPublisher } from '@checkout/outbox';
import { boundedSqsConfig } from '../service/bounded-clients.js';
import { createRelayRun } from './relay-run.js';
import { createLambdaDeps } from './runtime/lambda-deps.js';
import { lambdaEnvironment } from './runtime/lambda-environment.js';

const env = lambdaEnvironment('outbox-relay');
const destinations = env.require('OUTBOX_DESTINATIONS');
const runForMs = env.require('OUTBOX_RELAY_RUN_FOR_MS');
const namespace = env.require('OUTBOX_METRIC_NAMESPACE');
const service = env.require('OUTBOX_METRIC_SERVICE');
const { deps, database } = await createLambdaDeps(env);
const queues = JSON.parse(destinations) as Record<string, string>;
const relay = createOutboxRelay({
  db: deps.db,
  pool: database.pool,
  outbox: deps.outbox,
  publisher: createSqsPublisher({ client: new SQSClient(boundedSqsConfig()), queues }),
});

/** Lambda entry point. */
export const handler = createRelayRun({
  relay,
  stats: () => deps.outbox.stats(deps.db),
  runForMs: Number(runForMs),
  namespace,
  service,
});
