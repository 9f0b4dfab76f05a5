import { useCheckoutStack } from '@checkout/testing/vitest';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkInvariants } from '../invariants/check-invariants.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from '../local/checkout-environment.js';
import { type LocalRunner, startLocalRunner } from '../local/local-runner.js';
import { runLoad } from '../local/run-load.js';
import { QUEUE_NAMES } from '../topology.js';
import { type SpanCollector, startSpanCollector } from '../tracing/span-collector.js';
import { tracingReport } from '../tracing/trace-report.js';

// A provider outage longer than the payment deadline: the orders waiting for it are cancelled by the
// deadline sweeper, the authorizations that landed unanswered are voided, nothing stays charged or stuck.
const INITIAL_STOCK = { mug: 1_000, tee: 1_000, hot: 1_000 };
let env: CheckoutEnvironment;
let runner: LocalRunner | undefined;
let spans: SpanCollector;

beforeAll(async () => {
  spans = startSpanCollector();
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 17,
    faults: { latencyMs: 5 },
    initialStock: INITIAL_STOCK,
    deadlines: { pendingPaymentSeconds: 2, paymentAuthorizedSeconds: 30 },
  });
});
afterAll(async () => {
  await runner?.stop();
  await env?.close();
  await spans?.close();
});

it('a provider outage past the payment deadline cancels the waiting orders and voids late authorizations', async () => {
  env.payment.startOutage(6_000);
  runner = await startLocalRunner({
    deps: env.deps,
    pool: env.pool,
    sqs: env.sqs,
    queueUrls: env.processConfig.queueUrls,
    listen: env.postgresUrl,
  });
  const load = await runLoad(env.deps, { orders: 20, seed: 17, hotShare: 0, declineShare: 0, concurrency: 4 });
  await waitForDrain(env, { timeoutMs: 90_000 });
  const invariants = await checkInvariants({
    deps: env.deps,
    initialStock: INITIAL_STOCK,
    submissions: load.submissions,
    ledger: env.payment.ledger(),
    emails: env.email.sent(),
    sqs: env.sqs,
    deadLetterQueueUrls: QUEUE_NAMES.map((name) => env.queues[name].dlq.queueUrl),
  });
  expect(Object.entries(invariants).filter(([, v]) => !v.ok)).toEqual([]);
  expect(invariants.noOrderStuck.detail).toMatch(/payment\.timed_out/);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(env.deps.schema, 'audit_events')}
    WHERE event = 'payment.timed_out' AND actor = 'deadline'`.execute(env.db);
  expect(rows[0]?.n).toBeGreaterThan(0);
  // Every order the deadline cancelled has its provider request cancelled: nothing it holds is authorized.
  const cancelled = await env.db
    .withSchema(env.deps.schema)
    .selectFrom('payment_intents')
    .innerJoin('orders', 'orders.id', 'payment_intents.order_id')
    .select(['payment_intents.status'])
    .where('orders.state', '=', 'CANCELLED')
    .execute();
  expect(cancelled.length).toBeGreaterThan(0);
  expect(cancelled.every((row) => row.status === 'voided')).toBe(true);
  expect(env.payment.outageCalls()).toBeGreaterThan(0);
  // Some authorizations landed during the outage with their answer lost: the provider shows them voided.
  expect(env.payment.ledger().filter((entry) => entry.status === 'voided').length).toBeGreaterThan(0);
  // The sweeper's commands (void, receipt, analytics) continue each cancelled order's checkout trace.
  await runner.stop();
  const tracing = tracingReport(spans.records());
  expect(tracing.disconnected).toEqual([]);
  expect(tracing.connected).toBe(load.submissions.length);
}, 120_000);
