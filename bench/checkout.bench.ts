// pnpm bench checkout [orders]: the example's commit-first checkout vs a naive synchronous handler, one run.
//  Both against the same simulators: provider latency 200 ms, 10 % of authorizations charge but lose
//  the response, each buyer submits once and retries up to 3 times with the same Idempotency-Key
//  after a failed answer.
//  1. checkout response latency p50/p99: ours (`checkout(...)`: one Postgres transaction, nothing
//     remote) vs naive (authorize at the provider, reserve stock, write the order, send the email,
//     all inside the request, provider request id random per attempt).
//  2. double charges: orders with more than one charge in the provider ledger (naive vs ours, after
//     our workers drained the flow).
//  3. checkouts/s end to end (accepted -> COMPLETED): the local runner (1 relay, the five stage
//     consumers, this process) then works the accepted orders off; rate = COMPLETED orders / (runner
//     start -> drained, polled every 100 ms). Also: when orders completed (first, p50, last, and the
//     steady rate between the 10th and 90th percentile), and the load-independent cost of one order
//     through the workers: CPU ms of this process (API-free: workers, relay, SQS emulator, simulators),
//     Postgres and DynamoDB Local's JVM (read from /proc), and its Postgres statements, DynamoDB and SQS
//     calls (counted on the clients). CHECKOUT_BENCH_SQL=1 lists the statements per order by text;
//     CHECKOUT_BENCH_CPU_PROFILE=<file> writes a V8 CPU profile of the drain.
//  The API phase runs without the workers in the process, as deployed (API and workers are separate
//  Lambdas/containers); on this 2-core machine sharing the event loop would measure the workers.
//
//  Where the time goes per order (2 cores, all three servers busy). A trivial Postgres round trip costs
//  about 0.1 ms of CPU (both sides); each SQS call is an HTTP exchange with the in-process emulator
//  (SDK, signing, HTTP on both ends: 1-2 ms of this process's CPU per call), each DynamoDB call a
//  transaction in the JVM (its biggest cost per call). Per completed order, workers + relay, this bench
//  (one relay):
//                          statements  DynamoDB  SQS  CPU ms (node / Postgres / JVM)    orders/s
//    before (8eb64c8)          27         3      5.6   74 (25 / 16 / 33)               19.8-24.0
//    main (2026-12-03)       20.1-20.4    2      2.9-3.4 36-43 (18-21 / 9-12 / 8-11)   37.1-44.0
//  (orders/s: each commit with its own bench file, alternated in one sitting, 5 runs each: 1.79x on
//  the means.) What cut it: state-machine `advance` writes a step (lock, event-id check, version bump,
//  one audit row per event) in one statement instead of a lock plus one write per event, run by a
//  PL/pgSQL function whose plan each connection keeps (`functionMigration`, migration 007);
//  fulfillment's two commands in one outbox INSERT (`enqueueCommands`); inventory `commit(orderId,
//  { lines })` without its read (-1 DynamoDB call); one relay instead of two (the second woke on every
//  NOTIFY and mostly claimed nothing); a lost provider answer retried once inline (100-200 ms) instead
//  of through the queue (at least 1 s: SQS visibility is in whole seconds); the consumer's
//  acknowledgements batched for 50 ms (DeleteMessageBatch 2.3-2.4 -> 1.3 per order) without holding a
//  worker or a receive slot; the example's local pool keeping its parameterized statements prepared
//  (Postgres parsed and planned each of Kysely's unnamed statements at every call: Postgres CPU per
//  order 11.7-12.3 -> 9.8-10.1 ms); message ids from one `randomFillSync` call (`ulid()` made 16
//  crypto calls, ~90 us of CPU per id on this VM); the drain poll (10 SQS calls and 3 statements every
//  500 ms) replaced by one query every 100 ms; a transaction's BEGIN sent with its first statement
//  (`deferBegin`: 20.1-20.6 -> 17.1-17.5 statements per order).
//  The two ceilings printed (`ceilings`): CPU (both cores busy on this cost per order) and the
//  payment stage's rate limit (60 handler starts/s after a burst of 6, plus the provider's 200 ms:
//  58). Under other load the payment stage is bound by its workers and their time (Little's law:
//  15-16.5 of 20 busy, handlers of 0.3-0.37 s while every process competes for the cores). On a
//  quiet machine (2026-12-03, 13 alternated pairs: 8eb64c8 mean 25.4, main 48.5 orders/s, 1.91x)
//  three bounds meet: this process's event loop is 88-95 % busy (`eventLoopUtilization`; 8eb64c8's
//  read 88-94 % with the same probe), 18.3-19.4 of the payment stage's 20 workers are busy
//  (`paymentBusyWorkers`), and it authorizes about 57/s against its 60. With 194 starts after the
//  burst at 60/s, the provider's 200 ms, the first start about 0.1 s in and the last order's later
//  stages plus the drain's end (0.15-0.3 s), a 200-order run cannot beat about 52-54 orders/s.
//  1,000-order runs: 8eb64c8 36.0-36.5 orders/s (its 10 payment workers), main 57.2-57.7. With
//  `deferBegin`, 13:48-13:52 (load average 3-4.5), 5 pairs: 8eb64c8 mean 24.1, main 45.5 (1.88x).
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startCheckoutStack } from '@checkout/testing';
import { sql } from 'kysely';
import { checkout } from '../examples/checkout-service/src/api/checkout.ts';
import { parseCart } from '../examples/checkout-service/src/domain/cart.ts';
import { priceCart } from '../examples/checkout-service/src/domain/price-cart.ts';
import {
  type CheckoutEnvironment,
  createCheckoutEnvironment,
} from '../examples/checkout-service/src/local/checkout-environment.ts';
import { startLocalRunner } from '../examples/checkout-service/src/local/local-runner.ts';
import type { LedgerEntry } from '../examples/checkout-service/src/simulators/payment-provider.ts';
import { PaymentProviderClient } from '../examples/checkout-service/src/simulators/simulator-server.ts';
import { TOPOLOGY } from '../examples/checkout-service/src/topology.ts';
import {
  callSnapshot,
  callsPer,
  countCalls,
  cpuSnapshot,
  cpuSpent,
  startProfile,
  statementsPer,
} from './lib/pipeline-cost.ts';
import { type BenchResult, percentile, summarize, writeReport } from './lib/report.ts';

const ORDERS = Number(process.argv[2] ?? 200);
const CONCURRENCY = 16;
/**
 * Outbox relays of the runner. One, as deployed (the scheduled relay Lambda runs one instance at a time;
 * its reserved concurrency of 2 only lets the next run overlap the end of the previous): relay rounds
 * take a round lock, so a second relay woken by the same NOTIFY mostly claims nothing (an empty round
 * is three statements) and splits the rows into smaller batches. `CHECKOUT_BENCH_RELAYS=2` for two.
 */
const RELAYS = Number(process.env.CHECKOUT_BENCH_RELAYS ?? 1);
const MAX_ATTEMPTS = 4;
const FAULTS = { latencyMs: 200, lostResponseRate: 0.1 };
const STOCK = { mug: 1_000_000, tee: 1_000_000 };

countCalls();
const stack = await startCheckoutStack({ mode: 'embedded' });
const results: BenchResult[] = [];
const ratios: Record<string, number> = {};

function cartOf(i: number) {
  return {
    customerId: `customer-${i}`,
    currency: 'EUR',
    lines: [
      { sku: 'mug', quantity: 1 + (i % 3) },
      { sku: 'tee', quantity: 1 },
    ],
    paymentToken: `tok_${i}`,
  };
}

/** Plays buyers: each order is submitted until it gets a 2xx/4xx or MAX_ATTEMPTS, same key each time. */
async function play(
  handler: (key: string, body: unknown) => Promise<{ status: number }>,
): Promise<{ latencies: number[]; wallMs: number; requests: number; failedOrders: number }> {
  const latencies: number[] = [];
  let requests = 0;
  let failedOrders = 0;
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < ORDERS; i = next++) {
        const key = `bench-${i}`;
        let ok = false;
        for (let attempt = 0; attempt < MAX_ATTEMPTS && !ok; attempt++) {
          const t0 = performance.now();
          const response = await handler(key, cartOf(i));
          latencies.push(performance.now() - t0);
          requests += 1;
          ok = response.status < 500;
        }
        if (!ok) failedOrders += 1;
      }
    }),
  );
  return { latencies, wallMs: performance.now() - began, requests, failedOrders };
}

function doubleCharges(ledger: readonly LedgerEntry[], orderOf: (entry: LedgerEntry) => string): number {
  const charges = new Map<string, number>();
  for (const entry of ledger) {
    if (entry.status === 'declined') continue;
    const order = orderOf(entry);
    charges.set(order, (charges.get(order) ?? 0) + 1);
  }
  return [...charges.values()].filter((n) => n > 1).length;
}

/**
 * The naive handler most checkouts start as: everything inside the request. It stores the answer
 * under the Idempotency-Key only after success, and the provider request id is random per attempt,
 * so a retry after a lost provider response charges the card again.
 */
function naiveHandler(env: CheckoutEnvironment) {
  const provider = new PaymentProviderClient(env.processConfig.simulatorUrl, { timeoutMs: 5_000 });
  const answered = new Map<string, { status: number; body: unknown }>();
  return async (key: string, body: unknown): Promise<{ status: number }> => {
    const done = answered.get(key);
    if (done !== undefined) return done;
    const cart = parseCart(body);
    const priced = priceCart(cart, env.deps.catalog);
    const orderId = randomUUID();
    try {
      const payment = await provider.authorize({
        requestId: randomUUID(),
        orderId: key,
        amount: priced.total,
        currency: priced.currency,
        paymentToken: cart.paymentToken,
      });
      if (payment.status === 'declined') return { status: 402 };
      await env.deps.inventory.reserve(orderId, cart.lines, { holdMs: 900_000 });
      await sql`INSERT INTO ${sql.table(`${env.deps.schema}.naive_orders`)} (id, idempotency_key, total, authorization_id)
        VALUES (${orderId}, ${key}, ${priced.total}, ${payment.authorizationId})`.execute(env.db);
      await env.email.send({ to: `${cart.customerId}@example.com`, orderId, template: 'receipt' });
      const answer = { status: 201, body: { orderId } };
      answered.set(key, answer);
      return answer;
    } catch {
      return { status: 502 };
    }
  };
}

const TERMINAL = ['COMPLETED', 'PAYMENT_DECLINED', 'CANCELLED'];

/**
 * `waitForDrain`'s condition (every order terminal, the outbox and every stage queue empty, every order in
 * the reporting projection), polled cheaply: one SQL query every 100 ms, and the queue depths (ten
 * GetQueueAttributes calls) only once the database says done. The example's `waitForDrain` polls
 * everything every 500 ms: that overshoots the drain by 250 ms on average and its calls load the
 * process being measured.
 */
async function drained(env: CheckoutEnvironment, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const orders = sql.table(`${env.deps.schema}.orders`);
  const reports = sql.table(`${env.deps.schema}.order_report`);
  for (;;) {
    const { rows } = await sql<{ open: number; total: number; reported: number }>`SELECT
        count(*) FILTER (WHERE state IS NULL OR state <> ALL(${TERMINAL}::text[]))::int AS open,
        count(*)::int AS total, (SELECT count(*)::int FROM ${reports}) AS reported
      FROM ${orders}`.execute(env.db);
    const row = rows[0];
    if (row !== undefined && row.open === 0 && row.reported === row.total) {
      const progress = await env.progress();
      if (progress.outboxPending === 0 && progress.queued === 0 && progress.reported === row.total) return;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`not drained after ${timeoutMs} ms: ${JSON.stringify(await env.progress())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  // Naive: no workers, everything in the request.
  const naiveEnv = await createCheckoutEnvironment(stack, { seed: 7, faults: FAULTS, initialStock: STOCK });
  await sql`CREATE TABLE ${sql.table(`${naiveEnv.deps.schema}.naive_orders`)} (
    id uuid PRIMARY KEY, idempotency_key text NOT NULL, total integer NOT NULL, authorization_id text NOT NULL)`.execute(
    naiveEnv.db,
  );
  const naive = await play(naiveHandler(naiveEnv));
  const naiveDoubles = doubleCharges(naiveEnv.payment.ledger(), (e) => e.orderId);
  results.push(
    summarize('naive synchronous (pay+stock+order+email in request)', naive.latencies, naive.wallMs, {
      orders: ORDERS,
      requests: naive.requests,
      ordersWithoutAnswer: naive.failedOrders,
      doubleChargedOrders: naiveDoubles,
    }),
  );
  await naiveEnv.close();

  // Commit-first: the example's checkout first (API alone), then its workers and relays work the orders off.
  const env = await createCheckoutEnvironment(stack, { seed: 7, faults: FAULTS, initialStock: STOCK, poolSize: 20 });
  const apiCalls = callSnapshot();
  const ours = await play((key, body) => checkout(env.deps, { idempotencyKey: key, principal: 'bench', body }));
  const apiCallsAfter = callSnapshot();
  const profile = await startProfile(process.env.CHECKOUT_BENCH_CPU_PROFILE);
  const cpuBefore = cpuSnapshot();
  const callsBefore = callSnapshot();
  const began = performance.now();
  const beganAt = Date.now();
  const runner = await startLocalRunner({
    deps: env.deps,
    pool: env.pool,
    sqs: env.sqs,
    queueUrls: env.processConfig.queueUrls,
    listen: env.postgresUrl,
    relays: RELAYS,
  });
  // This process's event loop (workers, relay, the SQS emulator and the simulators all run on it):
  // how busy it was from runner start to drained, and how late its callbacks ran.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const loopBefore = performance.eventLoopUtilization();
  // The payment stage's running handlers, sampled every 20 ms: with all of its workers busy in the
  // steady phase, its workers and their handler time bound it (Little's law); with some idle while
  // orders wait, its rate limit does.
  const busy: Array<{ readonly atMs: number; readonly active: number }> = [];
  const busySampler = setInterval(
    () => busy.push({ atMs: performance.now() - began, active: runner.consumers.payment.stats().active }),
    20,
  );
  await drained(env, 300_000);
  clearInterval(busySampler);
  const endToEndMs = performance.now() - began;
  const loopUtilization = Math.round(performance.eventLoopUtilization(loopBefore).utilization * 100) / 100;
  loopDelay.disable();
  const loopDelayMs = (q: number) => Math.round(loopDelay.percentile(q) / 1e5) / 10;
  const cpu = cpuSpent(cpuBefore, cpuSnapshot());
  const callsAfter = callSnapshot();
  await profile?.stop();
  // Handler starts of the payment stage: each took a token of its rate limit (a delivery that went
  // back to the queue takes another when it comes again; the handler's inline retry of a lost answer
  // takes none).
  const paymentStats = runner.consumers.payment.stats();
  const paymentStarts = paymentStats.acknowledged + paymentStats.retried;
  await runner.stop();
  const progress = await env.progress();
  const ourDoubles = doubleCharges(env.payment.ledger(), (e) => e.orderId);
  results.push(
    summarize('commit-first checkout(...) (example)', ours.latencies, ours.wallMs, {
      orders: ORDERS,
      requests: ours.requests,
      ordersWithoutAnswer: ours.failedOrders,
      doubleChargedOrders: ourDoubles,
    }),
  );
  const completed = progress.states.COMPLETED ?? 0;
  // When orders reached COMPLETED, seconds after the runner started: ramp-up, steady rate, tail.
  const { rows: completedRows } = await sql<{ at: Date }>`SELECT state_updated_at AS at
    FROM ${sql.table(`${env.deps.schema}.orders`)} WHERE state = 'COMPLETED'`.execute(env.db);
  const completedAt = completedRows.map((row) => (row.at.getTime() - beganAt) / 1000).sort((a, b) => a - b);
  const at = (q: number) => Math.round(percentile(completedAt, q) * 10) / 10;
  // When the payment stage recorded its last authorization: what is left of the drain after it is the
  // four later stages of the last orders.
  const { rows: paidRows } = await sql<{ at: Date | null }>`SELECT max(updated_at) AS at
    FROM ${sql.table(`${env.deps.schema}.payment_intents`)} WHERE status = 'authorized'`.execute(env.db);
  const lastAuthorizedAt = paidRows[0]?.at;
  const lastAuthorizedSeconds =
    lastAuthorizedAt == null ? 0 : Math.round((lastAuthorizedAt.getTime() - beganAt) / 100) / 10;
  // Mean of the samples in the steady window (the same as steadyOrdersPerSec's).
  const steadyBusy = busy.filter((sample) => sample.atMs >= at(0.1) * 1000 && sample.atMs <= at(0.9) * 1000);
  const paymentBusyWorkers =
    Math.round((steadyBusy.reduce((sum, sample) => sum + sample.active, 0) / Math.max(1, steadyBusy.length)) * 10) / 10;
  const steady = at(0.9) > at(0.1) ? Math.round((0.8 * completed) / (at(0.9) - at(0.1))) : 0;
  // Where an order's time goes between its recorded states (audit rows, p50 and p90 over the orders): each
  // gap is a relay publish, an SQS receive and a handler (the first also the provider's latency).
  const { rows: gaps } = await sql<{ step: string; p50: number; p90: number }>`SELECT step,
      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::int AS p50,
      round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms))::int AS p90
    FROM (SELECT coalesce(event, kind) AS step,
        extract(epoch FROM at - lag(at) OVER (PARTITION BY aggregate_id ORDER BY version)) * 1000 AS ms
      FROM ${sql.table(`${env.deps.schema}.audit_events`)}) g
    WHERE ms IS NOT NULL GROUP BY step ORDER BY p50`.execute(env.db);
  console.log('ms since the previous recorded state, by event (p50 / p90):');
  for (const gap of gaps) console.log(`  ${gap.step}: ${gap.p50} / ${gap.p90}`);
  results.push({
    label: 'commit-first end to end (accepted -> COMPLETED)',
    opsPerSec: Math.round((completed / endToEndMs) * 1000 * 10) / 10,
    p50Ms: 0,
    p99Ms: 0,
    extra: {
      orders: ORDERS,
      completed,
      drainSeconds: Math.round(endToEndMs / 100) / 10,
      firstCompletedSeconds: at(0),
      p50CompletedSeconds: at(0.5),
      lastCompletedSeconds: at(1),
      lastAuthorizedSeconds,
      steadyOrdersPerSec: steady,
      paymentBusyWorkers,
      paymentWorkers: TOPOLOGY.payment.concurrency,
      eventLoopUtilization: loopUtilization,
      eventLoopDelayP50Ms: loopDelayMs(50),
      eventLoopDelayP99Ms: loopDelayMs(99),
      lostProviderResponses: env.payment.lostResponses().length,
    },
  });
  // Load-independent cost of one order through the workers (runner start -> drained, the drain's
  // progress polls included: a handful of statements per 500 ms, well under 1 per order).
  const perOrder = (seconds: number) => Math.round((seconds / Math.max(1, completed)) * 1000 * 10) / 10;
  const cpuMs = {
    total: perOrder(cpu.total),
    node: perOrder(cpu.node),
    postgres: perOrder(cpu.postgres),
    java: perOrder(cpu.java),
    other: perOrder(cpu.other),
  };
  const workerCalls = callsPer(callsBefore, callsAfter, Math.max(1, completed));
  const checkoutCalls = callsPer(apiCalls, apiCallsAfter, ORDERS);
  // Two ceilings of the end-to-end rate, each an upper bound on its own:
  //  - CPU: every core busy all the time on this cost per order (no ramp-up, no tail);
  //  - payment: the stage's rate limit (token bucket: burst, then perSecond) starts at most
  //    burst + perSecond x t handlers by time t; every order needs one start, a delivery that went
  //    back to the queue (a lost answer whose inline retry was lost too, a throttled call) another;
  //    the last answers latencyMs after it starts (inline retries, the 1 s wait before a queue retry
  //    and the later stages left out).
  const cores = availableParallelism();
  const cpuCeiling = cpuMs.total > 0 ? (cores * 1000) / cpuMs.total : 0;
  const payment = TOPOLOGY.payment.perSecond;
  const paymentFloorSeconds =
    Math.max(0, paymentStarts - Math.max(1, Math.ceil(payment / 10))) / payment + FAULTS.latencyMs / 1000;
  const paymentCeiling = completed / paymentFloorSeconds;
  console.log(
    `ceilings (orders/s): CPU ${cpuCeiling.toFixed(1)} (${cores} cores at ${cpuMs.total} ms per order), payment stage ` +
      `${paymentCeiling.toFixed(1)} (${paymentStarts} handler starts at ${payment}/s + ${FAULTS.latencyMs} ms); ` +
      `end to end ${((completed / endToEndMs) * 1000).toFixed(1)}`,
  );
  console.log('CPU ms per completed order (workers + relays, by process):', cpuMs);
  console.log('calls per completed order (workers + relays):', workerCalls);
  console.log('calls per order (checkout API, retries included):', checkoutCalls);
  if (process.env.CHECKOUT_BENCH_SQL === '1') {
    console.log('statements per completed order (workers + relays):');
    for (const [text, n] of statementsPer(callsBefore, callsAfter, Math.max(1, completed))) console.log(n, text);
    console.log('statements per order (checkout API):');
    for (const [text, n] of statementsPer(apiCalls, apiCallsAfter, ORDERS)) console.log(n, text);
  }
  results.push({
    label: 'end to end cost per completed order',
    opsPerSec: 0,
    p50Ms: 0,
    p99Ms: 0,
    extra: {
      cpuMsPerOrder: cpuMs.total,
      nodeCpuMs: cpuMs.node,
      postgresCpuMs: cpuMs.postgres,
      javaCpuMs: cpuMs.java,
      pgStatementsPerOrder: workerCalls.pg ?? 0,
      dynamodbCallsPerOrder: workerCalls.dynamodb ?? 0,
      sqsCallsPerOrder: workerCalls.sqs ?? 0,
      checkoutPgStatementsPerOrder: checkoutCalls.pg ?? 0,
      cpuCeilingOrdersPerSec: Math.round(cpuCeiling * 10) / 10,
      paymentCeilingOrdersPerSec: Math.round(paymentCeiling * 10) / 10,
    },
  });
  await env.close();

  ratios['naive/commit-first p50'] = percentile(naive.latencies, 0.5) / percentile(ours.latencies, 0.5);
  ratios['naive/commit-first p99'] = percentile(naive.latencies, 0.99) / percentile(ours.latencies, 0.99);
  // How close the end-to-end rate came to each ceiling (1 = at it).
  const endToEnd = (completed / endToEndMs) * 1000;
  ratios.endToEndVsCpuCeiling = cpuCeiling > 0 ? endToEnd / cpuCeiling : 0;
  ratios.endToEndVsPaymentCeiling = endToEnd / paymentCeiling;
  writeReport('checkout', results, ratios, ['kysely', 'pg', '@aws-sdk/client-sqs']);
} finally {
  await stack.stop();
}
