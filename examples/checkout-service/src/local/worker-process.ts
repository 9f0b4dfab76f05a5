// A worker process of the local setup, on its own bounded pool. Config: argv[2] as JSON
// (`WorkerProcessConfig`); role: argv[3], `both` (default: two outbox relays and the command
// consumer), `relay` (relays only) or `consumer` (consumer only). Prints `ready` once running. The
// chaos fleet SIGKILLs and restarts these; SIGTERM stops gracefully.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { CheckoutDatabase } from '../db/database.js';
import { createCheckoutDeps } from '../service/checkout-deps.js';
import { EmailProviderClient, PaymentProviderClient } from '../simulators/simulator-server.js';
import { DEMO_CATALOG, type WorkerProcessConfig } from './checkout-environment.js';
import { startLocalRunner } from './local-runner.js';

const config = JSON.parse(process.argv[2] ?? '') as WorkerProcessConfig;
const role = process.argv[3] ?? 'both';
if (role !== 'both' && role !== 'relay' && role !== 'consumer') throw new Error(`unknown worker role ${role}`);
const pool = new pg.Pool({ connectionString: config.postgresUrl, max: 6 });
pool.on('error', () => {});
const db = new Kysely<CheckoutDatabase>({ dialect: new PostgresDialect({ pool }) });
const sqs = new SQSClient(config.sqs);
const deps = createCheckoutDeps({
  db,
  schema: config.schema,
  dynamodb: new DynamoDBClient(config.dynamodb),
  inventoryTable: config.inventoryTable,
  catalog: DEMO_CATALOG,
  payment: new PaymentProviderClient(config.simulatorUrl, { timeoutMs: 5_000 }),
  email: new EmailProviderClient(config.simulatorUrl),
});
const runner = await startLocalRunner({
  deps,
  pool,
  sqs,
  queueUrl: config.queueUrl,
  listen: config.postgresUrl,
  relays: role === 'consumer' ? 0 : 2,
  consume: role !== 'relay',
  concurrency: 8,
  visibilityTimeoutSeconds: 4,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runner.stop().then(async () => {
    await db.destroy();
    process.exit(0);
  });
});
