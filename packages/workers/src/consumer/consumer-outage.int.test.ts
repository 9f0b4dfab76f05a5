import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createFaultProxy,
  createTestQueue,
  createTestSchema,
  type FaultProxy,
  type TestSchema,
} from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiveTimeoutError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBodies, delay } from '../test-support/consumer-fixtures.js';
import { depth, drain, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

// Outages through fault proxies in front of the run's shared SQS emulator and Postgres: only the
// consumer's (and its handlers') connections go through them.
const stack = useCheckoutStack();
let sqsProxy: FaultProxy;
let pgProxy: FaultProxy;
let direct: SQSClient;
let schema: TestSchema;
beforeAll(async () => {
  sqsProxy = await createFaultProxy({ target: stack.sqs.endpoint });
  pgProxy = await createFaultProxy({ target: stack.postgres.url });
  direct = new SQSClient(stack.sqs.clientConfig);
  schema = await createTestSchema(stack.postgres, 'wk_outage');
});
afterAll(async () => {
  direct?.destroy();
  await schema?.drop();
  await sqsProxy?.close();
  await pgProxy?.close();
});

/** An SQS client through the proxy, with the request timeouts the README asks for. */
const proxiedSqs = () =>
  new SQSClient({
    ...stack.sqs.clientConfig,
    endpoint: sqsProxy.endpoint,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });

describe('consumer under an SQS outage (refuse, then blackhole)', () => {
  it('bounds every receive, backs off, and resumes on its own: every message handled once acknowledged', async () => {
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 10 });
    const client = proxiedSqs();
    const handled = new Set<number>();
    const events: WorkerErrorEvent[] = [];
    const consumer = createSqsConsumer({
      client,
      queueUrl: queue.queueUrl,
      pollers: 1,
      waitTimeSeconds: 1,
      receiveTimeoutMs: 2_000,
      requestTimeoutMs: 2_000,
      visibilityTimeoutSeconds: 3,
      snapshotIntervalMs: 0,
      metrics: false,
      observer: { error: (event) => events.push(event) },
      commands: [
        handleCommand(chargeCard, (envelope) => {
          handled.add(envelope.payload.seq ?? -1);
        }),
      ],
    });
    consumer.start();
    try {
      await sendAll(direct, queue.queueUrl, chargeBodies(10));
      await waitUntil(() => handled.size === 10, 'the first 10 handled');

      sqsProxy.setMode('refuse');
      const callsBefore = consumer.stats().receiveCalls;
      await delay(3_000);
      const refusedCalls = consumer.stats().receiveCalls - callsBefore;
      // Backoff (100 ms doubling): a handful of calls in 3 s, not a hot loop.
      expect(refusedCalls).toBeGreaterThan(0);
      expect(refusedCalls).toBeLessThan(15);

      sqsProxy.setMode('blackhole');
      await sendAll(
        direct,
        queue.queueUrl,
        chargeBodies(20).slice(10), // seq 10..19
      );
      await delay(5_000);
      // Each receive was given up on at receiveTimeoutMs: reported typed, the poller went on.
      expect(events.some((event) => event.stage === 'receive' && event.error instanceof ReceiveTimeoutError)).toBe(
        true,
      );
      expect([...handled].filter((seq) => seq >= 10)).toEqual([]);

      sqsProxy.setMode('pass');
      await waitUntil(() => handled.size === 20, 'all 20 handled after the outage', 40_000);
      await waitUntil(async () => {
        const { visible, inFlight } = await depth(direct, queue.queueUrl);
        return visible + inFlight === 0;
      }, 'the queue drained');
      expect(await drain(direct, queue.dlq.queueUrl)).toEqual([]);
    } finally {
      sqsProxy.setMode('pass');
      const began = Date.now();
      await consumer.stop({ timeoutMs: 5_000 });
      expect(Date.now() - began).toBeLessThan(15_000);
      client.destroy();
    }
  }, 90_000);
});

describe('consumer while its handlers lose the database (refuse, then blackhole)', () => {
  it('never deletes a failed message: all come back and are processed after recovery, none dead-lettered', async () => {
    const table = `"${schema.name}".charges`;
    const setup = new pg.Pool({ connectionString: stack.postgres.url, max: 1 });
    await setup.query(`CREATE TABLE ${table} (seq int PRIMARY KEY, attempts int NOT NULL DEFAULT 1)`);
    // The handlers' pool, through the proxy, with bounded waits.
    const pool = new pg.Pool({
      connectionString: pgProxy.url(stack.postgres.url),
      max: 4,
      connectionTimeoutMillis: 1_000,
      query_timeout: 2_000,
    });
    pool.on('error', () => {});
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 30 });
    const tries = new Map<number, number>();
    const events: WorkerErrorEvent[] = [];
    const consumer = createSqsConsumer({
      client: direct,
      queueUrl: queue.queueUrl,
      concurrency: 4,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 10,
      backoff: { baseMs: 500, maxMs: 1_000 },
      snapshotIntervalMs: 0,
      metrics: false,
      observer: { error: (event) => events.push(event) },
      commands: [
        handleCommand(chargeCard, async (envelope) => {
          const seq = envelope.payload.seq ?? -1;
          tries.set(seq, (tries.get(seq) ?? 0) + 1);
          await pool.query(
            `INSERT INTO ${table} (seq) VALUES ($1) ON CONFLICT (seq) DO UPDATE SET attempts = ${table}.attempts + 1`,
            [seq],
          );
        }),
      ],
    });
    pgProxy.setMode('refuse');
    consumer.start();
    try {
      await sendAll(direct, queue.queueUrl, chargeBodies(10));
      await waitUntil(() => tries.size === 10, 'every message tried during the outage');
      await delay(1_500);
      pgProxy.setMode('blackhole');
      await delay(4_000);
      expect((await setup.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(0);
      expect([...tries.values()].some((count) => count > 1)).toBe(true); // they came back
      expect(events.some((event) => event.stage === 'handler')).toBe(true);

      pgProxy.setMode('pass');
      await waitUntil(
        async () => (await setup.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n === 10,
        'all 10 processed after recovery',
        40_000,
      );
      await waitUntil(async () => {
        const { visible, inFlight } = await depth(direct, queue.queueUrl);
        return visible + inFlight === 0;
      }, 'the queue drained');
      expect(await drain(direct, queue.dlq.queueUrl)).toEqual([]);
    } finally {
      pgProxy.setMode('pass');
      await consumer.stop({ timeoutMs: 5_000 });
      await pool.end();
      await setup.end();
    }
  }, 90_000);
});
