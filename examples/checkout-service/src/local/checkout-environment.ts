import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createTableInput } from '@checkout/core';
import { inventoryTableDefinition } from '@checkout/inventory';
import type { OrderDeadlines } from '@checkout/state-machine';
import {
  type CheckoutStackInfo,
  createTestQueue,
  createTestSchema,
  type TestQueue,
  type TestSchema,
  uniqueName,
} from '@checkout/testing';
import { getQueueSnapshot } from '@checkout/workers';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { CheckoutDatabase } from '../db/database.js';
import { migrateCheckoutDatabase } from '../db/migrations.js';
import { DEMO_CATALOG } from '../domain/demo-catalog.js';
import {
  boundedDynamoDbConfig,
  boundedSqsConfig,
  createBoundedPool,
  DIRECT_PREPARED_STATEMENTS,
} from '../service/bounded-clients.js';
import { type CheckoutDeps, createCheckoutDeps } from '../service/checkout-deps.js';
import { EmailSimulator } from '../simulators/email-provider.js';
import { type PaymentFaults, PaymentProviderSimulator } from '../simulators/payment-provider.js';
import { PaymentProviderClient, startSimulatorServer } from '../simulators/simulator-server.js';
import { PAYMENT_PROVIDER_RATE_LIMIT_PER_SECOND, QUEUE_NAMES, type QueueName, TOPOLOGY } from '../topology.js';

/** The demo catalog (defined in `domain/demo-catalog.ts`, so the Lambda bundles need not import this file). */
export { DEMO_CATALOG } from '../domain/demo-catalog.js';

/** Options of {@link createCheckoutEnvironment}. */
export interface CheckoutEnvironmentOptions {
  readonly seed: number;
  readonly faults?: Partial<PaymentFaults>;
  /** Units per SKU at the start. */
  readonly initialStock: Readonly<Record<string, number>>;
  /** Connections of this process's one pool (API + workers + relays share it). Default 10. */
  readonly poolSize?: number;
  /** Order deadlines of every process of this environment (short in the demo); default the production ones. */
  readonly deadlines?: OrderDeadlines;
}

/** A stage's queue with its DLQ. */
export type StageTestQueue = TestQueue & { readonly dlq: NonNullable<TestQueue['dlq']> };

/** Depth (visible + in flight + delayed) of one stage's queue and of its DLQ. */
export interface StageDepth {
  readonly queued: number;
  readonly deadLettered: number;
}

/** A fresh, isolated checkout on a running stack: schema, inventory table, one queue + DLQ per stage, simulators. */
export interface CheckoutEnvironment {
  readonly deps: CheckoutDeps;
  readonly db: Kysely<CheckoutDatabase>;
  /** The `pg.Pool` behind `db` (the outbox relays take it to watch the connections they hold). */
  readonly pool: pg.Pool;
  readonly sqs: SQSClient;
  /** One queue (and DLQ) per stage of the topology, by queue name. */
  readonly queues: Readonly<Record<QueueName, StageTestQueue>>;
  readonly payment: PaymentProviderSimulator;
  readonly email: EmailSimulator;
  readonly postgresUrl: string;
  /** What a worker process needs to join this environment (JSON-serializable). */
  readonly processConfig: WorkerProcessConfig;
  /** Orders by state, outbox pending rows, messages in all stage queues and DLQs (and per queue). */
  progress(): Promise<{
    readonly states: Readonly<Record<string, number>>;
    readonly outboxPending: number;
    readonly queued: number;
    readonly deadLettered: number;
    readonly reported: number;
    readonly byQueue: Readonly<Record<QueueName, StageDepth>>;
  }>;
  close(): Promise<void>;
}

/** Connection details for a worker process (`worker-process.ts`) of this environment. */
export interface WorkerProcessConfig {
  readonly postgresUrl: string;
  readonly schema: string;
  readonly dynamodb: CheckoutStackInfo['dynamodb']['clientConfig'];
  readonly sqs: CheckoutStackInfo['sqs']['clientConfig'];
  readonly inventoryTable: string;
  /** Queue URL of each stage. */
  readonly queueUrls: Readonly<Record<QueueName, string>>;
  readonly simulatorUrl: string;
  /** The order deadlines (the same in every process). */
  readonly deadlines?: OrderDeadlines;
}

const TERMINAL = new Set(['COMPLETED', 'PAYMENT_DECLINED', 'CANCELLED']);

/**
 * Builds a checkout on `stack` (from `useCheckoutStack()` in tests or `startCheckoutStack()` in
 * scripts), isolated by fresh names, with the example's migrations applied and stock set.
 */
export async function createCheckoutEnvironment(
  stack: Pick<CheckoutStackInfo, 'postgres' | 'dynamodb' | 'sqs'>,
  options: CheckoutEnvironmentOptions,
): Promise<CheckoutEnvironment> {
  const schema: TestSchema = await createTestSchema(stack.postgres, 'checkout');
  // The service's one pool and client settings (every wait bounded, see bounded-clients.ts); a direct
  // connection, so statements stay prepared.
  const pool = createBoundedPool({
    connectionString: stack.postgres.url,
    max: options.poolSize ?? 10,
    preparedStatements: DIRECT_PREPARED_STATEMENTS,
    deferBegin: true,
  });
  const db = new Kysely<CheckoutDatabase>({ dialect: new PostgresDialect({ pool }) });
  const dynamodb = new DynamoDBClient(boundedDynamoDbConfig(stack.dynamodb.clientConfig));
  const sqs = new SQSClient(boundedSqsConfig(stack.sqs.clientConfig));
  const inventoryTable = uniqueName('inventory');
  // Table creation is slow on DynamoDB Local under load: its own longer bound (a retry would find the table).
  await dynamodb.send(new CreateTableCommand(createTableInput(inventoryTableDefinition, inventoryTable)), {
    requestTimeout: 60_000,
  });
  const queues = Object.fromEntries(
    await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const stage = TOPOLOGY[name];
        const queue = await createTestQueue(stack.sqs, {
          prefix: name,
          fifo: stage.fifo,
          maxReceiveCount: stage.maxReceiveCount,
          visibilityTimeoutSeconds: stage.handlerTimeoutSeconds,
        });
        const { dlq } = queue;
        if (dlq === undefined) throw new Error(`the ${name} queue was created without a DLQ`);
        return [name, { ...queue, dlq }] as const;
      }),
    ),
  ) as Record<QueueName, StageTestQueue>;
  const payment = new PaymentProviderSimulator({
    seed: options.seed,
    faults: { rateLimitPerSecond: PAYMENT_PROVIDER_RATE_LIMIT_PER_SECOND, ...options.faults },
  });
  const email = new EmailSimulator();
  const simulators = await startSimulatorServer({ payment, email });
  const deps = createCheckoutDeps({
    db,
    schema: schema.name,
    dynamodb,
    inventoryTable,
    catalog: DEMO_CATALOG,
    payment: new PaymentProviderClient(simulators.url, { timeoutMs: 5_000 }),
    email,
    ...(options.deadlines === undefined ? {} : { deadlines: options.deadlines }),
  });
  await migrateCheckoutDatabase(db, { schema: schema.name, outbox: deps.outbox });
  for (const [sku, units] of Object.entries(options.initialStock)) await deps.inventory.setStock(sku, units);

  const depth = async (queueUrl: string) => {
    const snapshot = await getQueueSnapshot(sqs, queueUrl);
    return snapshot.visible + snapshot.inFlight + snapshot.delayed;
  };

  return {
    deps,
    db,
    pool,
    sqs,
    queues,
    payment,
    email,
    postgresUrl: stack.postgres.url,
    processConfig: {
      postgresUrl: stack.postgres.url,
      schema: schema.name,
      dynamodb: stack.dynamodb.clientConfig,
      sqs: stack.sqs.clientConfig,
      inventoryTable,
      queueUrls: Object.fromEntries(QUEUE_NAMES.map((name) => [name, queues[name].queueUrl])) as Record<
        QueueName,
        string
      >,
      simulatorUrl: simulators.url,
      ...(options.deadlines === undefined ? {} : { deadlines: options.deadlines }),
    },
    async progress() {
      const app = db.withSchema(schema.name);
      const rows = await app
        .selectFrom('orders')
        .select(['state', sql<string>`count(*)`.as('n')])
        .groupBy('state')
        .execute();
      const reported = await app.selectFrom('order_report').select(sql<string>`count(*)`.as('n')).executeTakeFirst();
      const stats = await deps.outbox.stats(db);
      const byQueue = Object.fromEntries(
        await Promise.all(
          QUEUE_NAMES.map(
            async (name) =>
              [
                name,
                { queued: await depth(queues[name].queueUrl), deadLettered: await depth(queues[name].dlq.queueUrl) },
              ] as const,
          ),
        ),
      ) as Record<QueueName, StageDepth>;
      const sum = (pick: (depth: StageDepth) => number) =>
        Object.values(byQueue).reduce((total, depth) => total + pick(depth), 0);
      return {
        states: Object.fromEntries(rows.map((r) => [r.state ?? 'null', Number(r.n)])),
        outboxPending: stats.pending,
        queued: sum((d) => d.queued),
        deadLettered: sum((d) => d.deadLettered),
        reported: Number(reported?.n ?? 0),
        byQueue,
      };
    },
    async close() {
      await simulators.stop();
      await dynamodb.send(new DeleteTableCommand({ TableName: inventoryTable })).catch(() => {});
      dynamodb.destroy();
      sqs.destroy();
      await db.destroy();
      await schema.drop();
    },
  };
}

/**
 * Waits until the flow has drained: every order terminal, the outbox and every stage queue empty,
 * and every order in the reporting projection (analytics is the last command). A round whose queries
 * fail (a dependency down) is retried a second later. Throws after `timeoutMs`.
 */
export async function waitForDrain(
  env: CheckoutEnvironment,
  options: {
    readonly timeoutMs: number;
    readonly onProgress?: (progress: Awaited<ReturnType<CheckoutEnvironment['progress']>>) => void;
  },
): Promise<number> {
  const started = Date.now();
  for (;;) {
    // A query that fails (Postgres restarting, SQS unreachable) is one more round, within the timeout.
    let timer: NodeJS.Timeout | undefined;
    const round = Promise.race([
      env.progress(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('progress query took over 15 s')), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const progress = await round.catch((error: unknown) => {
      if (Date.now() - started > options.timeoutMs) throw error;
      return undefined;
    });
    if (progress === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    options.onProgress?.(progress);
    const orders = Object.values(progress.states).reduce((a, b) => a + b, 0);
    const settled = Object.entries(progress.states).every(([state]) => TERMINAL.has(state));
    if (settled && progress.outboxPending === 0 && progress.queued === 0 && progress.reported === orders) {
      return (Date.now() - started) / 1000;
    }
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(`not drained after ${options.timeoutMs} ms: ${JSON.stringify(progress)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
