// A worker process of the local setup, on its own bounded pool. Config: argv[2] as JSON
// (`WorkerProcessConfig`); role: argv[3], `both` (default: two outbox relays and the stage
// workers), `relay` (relays only) or `consumer` (stage workers only); share: argv[4], this process's
// share of each stage's limits (default 1). Prints `ready` once running, then `age <queue> <ms>`
// whenever a stage's oldest received message is older than any before. The chaos fleet SIGKILLs and
// restarts these; SIGTERM stops gracefully.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Kysely, PostgresDialect } from 'kysely';
import type { CheckoutDatabase } from '../db/database.js';
import {
  boundedDynamoDbConfig,
  boundedSqsConfig,
  createBoundedPool,
  DIRECT_PREPARED_STATEMENTS,
} from '../service/bounded-clients.js';
import { createCheckoutDeps } from '../service/checkout-deps.js';
import { EmailProviderClient, PaymentProviderClient } from '../simulators/simulator-server.js';
import type { QueueName } from '../topology.js';
import { startSpanCollector } from '../tracing/span-collector.js';
import { DEMO_CATALOG, type WorkerProcessConfig } from './checkout-environment.js';
import { startLocalRunner } from './local-runner.js';

// Tracing (the demo sets CHECKOUT_TRACE_DIR): this process's spans go to <dir>/spans-<pid>.jsonl.
const spans = process.env.CHECKOUT_TRACE_DIR ? startSpanCollector({ dir: process.env.CHECKOUT_TRACE_DIR }) : undefined;
const config = JSON.parse(process.argv[2] ?? '') as WorkerProcessConfig;
const role = process.argv[3] ?? 'both';
if (role !== 'both' && role !== 'relay' && role !== 'consumer') throw new Error(`unknown worker role ${role}`);
const share = Number(process.argv[4] ?? '1');
if (!(share > 0 && share <= 1)) throw new Error(`share must be in (0, 1], got ${process.argv[4]}`);
const pool = createBoundedPool({
  connectionString: config.postgresUrl,
  max: 6,
  preparedStatements: DIRECT_PREPARED_STATEMENTS,
  deferBegin: true,
});
const db = new Kysely<CheckoutDatabase>({ dialect: new PostgresDialect({ pool }) });
const sqs = new SQSClient(boundedSqsConfig(config.sqs));
const deps = createCheckoutDeps({
  db,
  schema: config.schema,
  dynamodb: new DynamoDBClient(boundedDynamoDbConfig(config.dynamodb)),
  inventoryTable: config.inventoryTable,
  catalog: DEMO_CATALOG,
  payment: new PaymentProviderClient(config.simulatorUrl, { timeoutMs: 5_000 }),
  email: new EmailProviderClient(config.simulatorUrl),
  ...(config.deadlines === undefined ? {} : { deadlines: config.deadlines }),
});
// The parent may stop reading (it stopped the fleet, or died): a failed write must not end this process.
process.stdout.on('error', () => {});
const reported = new Map<QueueName, number>();
function reportAge(queue: QueueName, ageMs: number): void {
  if (ageMs <= (reported.get(queue) ?? -1)) return;
  reported.set(queue, ageMs);
  process.stdout.write(`age ${queue} ${Math.round(ageMs)}\n`);
}
const runner = await startLocalRunner({
  deps,
  pool,
  sqs,
  queueUrls: config.queueUrls,
  listen: config.postgresUrl,
  relays: role === 'consumer' ? 0 : 2,
  consume: role !== 'relay',
  share,
  visibilityTimeoutSeconds: 4,
  onAge: reportAge,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runner.stop().then(async () => {
    await spans?.close();
    await db.destroy();
    process.exit(0);
  });
});
