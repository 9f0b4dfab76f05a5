// `pnpm --filter @checkout/example-checkout-service demo [--orders 200] [--seed 7] [--report FILE] [--console]`
// `pnpm --filter @checkout/example-checkout-service chaos [--orders N] [--seed S] [--report FILE] [--processes 3] [--infra-faults]`
// Starts the embedded stack, the relays and the workers (in this process, or with --chaos in worker
// processes that are SIGKILLed and restarted at seeded moments), plays buyers with duplicate
// submissions, declines, lost provider responses, a hot SKU and poison messages (chaos adds a payment
// provider outage longer than the payment deadline), waits for the flow to drain and checks every
// invariant from durable state. Exit code 0 only if all hold. Chaos with --infra-faults also fails the
// services under the checkout (`local/infra-fault-plan.ts`): Postgres restarts, SQS and DynamoDB
// outages and latency bursts through fault proxies in front of every process's endpoints, and hung
// (SIGSTOPped, then resumed) worker processes; the load then retries like a real client.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startCheckoutStack } from '@checkout/testing';
import { listDeadLetters } from '@checkout/workers';
import { sql } from 'kysely';
import { checkInvariants } from './invariants/check-invariants.js';
import { type InfraFaults, startInfraFaults } from './local/chaos-infra.js';
import { createCheckoutEnvironment, waitForDrain } from './local/checkout-environment.js';
import { serveConsoleUntilInterrupted } from './local/console-server.js';
import { startDuplicateDeliveries } from './local/duplicate-deliveries.js';
import { countInfraFaults, type InfraFaultRun } from './local/infra-faults.js';
import { startLocalRunner } from './local/local-runner.js';
import { startProcessFleet } from './local/process-fleet.js';
import { watchQueues } from './local/queue-watch.js';
import { measureRecovery } from './local/recovery.js';
import { runLoad } from './local/run-load.js';
import { createSeededRandom } from './random/seeded-random.js';
import { QUEUE_NAMES, TOPOLOGY } from './topology.js';
import { readSpanRecords, startSpanCollector } from './tracing/span-collector.js';
import { formatTimeline, spansByOrder, tracingReport } from './tracing/trace-report.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    report: { type: 'string' },
    chaos: { type: 'boolean', default: false },
    processes: { type: 'string', default: '3' },
    // Leave the operations console (@checkout/console) running on 127.0.0.1 after the run.
    console: { type: 'boolean', default: false },
    // Chaos only: fail Postgres, SQS, DynamoDB and hang worker processes too (issue 20).
    'infra-faults': { type: 'boolean', default: false },
  },
});
const infraFaults = values['infra-faults'];
const orders = Number(values.orders);
const seed = Number(values.seed);
const processes = Number(values.processes);
if (
  !Number.isInteger(orders) ||
  orders < 1 ||
  !Number.isInteger(seed) ||
  !Number.isInteger(processes) ||
  processes < 1 ||
  (infraFaults && (!values.chaos || processes < 2))
) {
  console.error(
    'usage: demo [--orders N>=1] [--seed INT] [--report FILE] [--chaos [--infra-faults]] [--processes N>=1 (>=2 with --infra-faults)] [--console]',
  );
  process.exit(2);
}
const hotStock = Math.max(1, Math.floor(orders * 0.1));
// Short order deadlines for the demo (production defaults: 15 minutes to pay, 10 to reserve stock).
const deadlines = { pendingPaymentSeconds: 20, paymentAuthorizedSeconds: 30 } as const;
// Chaos: the provider answers nothing for longer than the payment deadline, then recovers.
const outageMs = (deadlines.pendingPaymentSeconds + 5) * 1_000;
const initialStock = { mug: 100_000, tee: 100_000, hot: hotStock };
const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);

// Tracing: this process's spans in memory; the worker processes (chaos) write theirs to a directory.
const traceDir = await mkdtemp(join(tmpdir(), 'checkout-demo-spans-'));
process.env.CHECKOUT_TRACE_DIR = traceDir;
const spanCollector = startSpanCollector();
console.log('starting Postgres, DynamoDB Local and the SQS emulator ...');
const stack = await startCheckoutStack();
let exitCode = 1;
// --infra-faults: every process reaches SQS and DynamoDB through a fault proxy (closed after the environment).
let infra: InfraFaults | undefined;
try {
  infra = infraFaults
    ? await startInfraFaults(stack, { seed, restartPostgres: (options) => stack.restartPostgres(options) })
    : undefined;
  const env = await createCheckoutEnvironment(infra?.stack ?? stack, {
    seed,
    // Chaos: spikes longer than the workers' 5 s provider timeout (the charge lands after the caller gave up).
    faults: values.chaos
      ? { latencyMs: 5, spikeRate: 0.02, spikeMs: 6_000, lostResponseRate: 0.1 }
      : { latencyMs: 5, spikeRate: 0.05, spikeMs: 300, lostResponseRate: 0.1 },
    initialStock,
    deadlines,
  });
  // Chaos kills relays and consumers separately: process 0 runs the outbox relays only, the others
  // consume only (a single process does both).
  const roles = Array.from({ length: processes }, (_, index) =>
    processes === 1 ? ('both' as const) : index === 0 ? ('relay' as const) : ('consumer' as const),
  );
  const watch = watchQueues(env.sqs, env.queues);
  const fleet = values.chaos
    ? await startProcessFleet(env.processConfig, roles, { onAge: watch.recordAge })
    : undefined;
  const runner =
    fleet === undefined
      ? await startLocalRunner({
          deps: env.deps,
          pool: env.pool,
          sqs: env.sqs,
          queueUrls: env.processConfig.queueUrls,
          listen: env.postgresUrl,
          onAge: watch.recordAge,
        })
      : undefined;
  let killing = fleet !== undefined;
  const random = createSeededRandom(seed ^ 0x5eed);
  // --infra-faults: the seeded plan of Postgres restarts, SQS / DynamoDB outages, latency bursts and
  // hung consumer processes, started with the load (which is spread over the plan, and beyond it).
  const plan =
    infra === undefined ? undefined : infra.plan(roles.flatMap((role, index) => (role === 'relay' ? [] : [index])));
  let faultRun: InfraFaultRun | undefined;
  let infraTimer: NodeJS.Timeout | undefined;
  let restarting: number | undefined;
  const killer = (async () => {
    while (killing && fleet !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, random.int(300, 1_500)));
      const index = random.int(0, processes - 1);
      // A hung process stays hung (the late worker is the point); a restart may fail while Postgres
      // is down: the same process is started again a moment later.
      if (!killing || faultRun?.hungProcess === index) continue;
      restarting = index;
      try {
        for (let tries = 1; ; tries++) {
          try {
            await fleet.killAndRestart(index);
            break;
          } catch (error) {
            if (tries >= 30) throw error;
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
        }
      } finally {
        restarting = undefined;
      }
    }
  })();
  const poisonMarkers = ['demo-poison-not-json', 'demo-poison-unknown-type'];
  const duplicates = values.chaos
    ? startDuplicateDeliveries({
        sqs: env.sqs,
        queues: QUEUE_NAMES.map((name) => ({ queueUrl: env.queues[name].queueUrl, fifo: TOPOLOGY[name].fifo })),
        seed: seed ^ 0xd00b,
        skipMarkers: poisonMarkers,
      })
    : undefined;
  let watching = true;
  try {
    // Poison on two stages: a body that is not JSON, and a command type no worker of that queue handles.
    await env.sqs.send(
      new SendMessageCommand({ QueueUrl: env.queues.payment.queueUrl, MessageBody: `{${poisonMarkers[0]}` }),
    );
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queues.notification.queueUrl,
        MessageBody: JSON.stringify({ type: 'RefundEverything', note: poisonMarkers[1] }),
      }),
    );
    console.log(`${orders} checkouts (2-4 copies each), hot SKU stock ${hotStock}, seed ${seed} ...`);
    // Chaos: one provider outage (at least one per run) a little after the load starts.
    const outage = values.chaos
      ? setTimeout(() => {
          console.log(
            `  payment provider outage for ${outageMs / 1000} s (payment deadline ${deadlines.pendingPaymentSeconds} s)`,
          );
          env.payment.startOutage(outageMs);
        }, 2_000)
      : undefined;
    // Infra faults start once the provider outage is over (and 5 s more): orders cannot complete while
    // the provider is down, which would hide each infra fault's own recovery time.
    const infraDelayMs = 2_000 + outageMs + 5_000;
    const spreadMs = plan === undefined ? 0 : infraDelayMs + plan.durationMs + 10_000;
    let infraStarted = Promise.resolve();
    if (infra !== undefined && plan !== undefined && fleet !== undefined) {
      console.log(
        `infra faults from ${infraDelayMs / 1_000} s for ${(plan.durationMs / 1_000).toFixed(0)} s: ${plan.faults.length} faults; the load is spread over ${(spreadMs / 1_000).toFixed(0)} s`,
      );
      const workers = fleet;
      const start = () =>
        infra?.run(
          plan,
          {
            // Hang the process that runs, not one the killer is replacing (it skips a hung one).
            async pause(index, ms) {
              while (restarting === index) await new Promise((resolve) => setTimeout(resolve, 100));
              await workers.pause(index, ms);
            },
          },
          { log: (line) => console.log(line) },
        );
      infraStarted = new Promise((resolve) => {
        infraTimer = setTimeout(() => {
          faultRun = start();
          resolve();
        }, infraDelayMs);
      });
    }
    const load = await runLoad(env.deps, {
      orders,
      seed,
      hotShare: 0.2,
      declineShare: 0.05,
      // With infra faults, checkouts meet every fault and keep coming 10 s after the last one.
      ...(plan === undefined ? {} : { spreadMs }),
    });
    await infraStarted;
    const executed = (await faultRun?.done) ?? [];
    if (outage !== undefined && env.payment.outages() === 0) {
      // A load shorter than the delay still gets its outage.
      clearTimeout(outage);
      env.payment.startOutage(outageMs);
    }
    // Chaos: keep killing a little longer while commands are in flight, then let the flow drain.
    if (fleet !== undefined) await new Promise((resolve) => setTimeout(resolve, 3_000));
    killing = false;
    await killer;
    await duplicates?.stop();
    let lastPrint = 0;
    const drainSeconds = await waitForDrain(env, {
      timeoutMs: 300_000,
      onProgress: (p) => {
        if (Date.now() - lastPrint < 2_000) return;
        lastPrint = Date.now();
        const queued = Object.entries(p.byQueue)
          .map(([name, depth]) => `${name} ${depth.queued}/${depth.deadLettered}`)
          .join(' ');
        console.log(`  states ${JSON.stringify(p.states)} outbox ${p.outboxPending} queued/dlq ${queued}`);
      },
    });
    const progress = await env.progress();
    watching = false;
    const queues = await watch.stop();
    const deadLetterQueueUrls = QUEUE_NAMES.map((name) => env.queues[name].dlq.queueUrl);
    const recovery = await measureRecovery(env.deps, executed);
    const infraCounts = countInfraFaults(executed);
    const invariants = await checkInvariants({
      deps: env.deps,
      initialStock,
      submissions: load.submissions,
      ledger: env.payment.ledger(),
      emails: env.email.sent(),
      sqs: env.sqs,
      deadLetterQueueUrls,
      poisonMarkers,
    });
    const dead = (
      await Promise.all(
        QUEUE_NAMES.map(async (queue) =>
          (
            await listDeadLetters({ client: env.sqs, queueUrl: env.queues[queue].dlq.queueUrl, maxMessages: 100 })
          ).map((message) => ({ queue, message })),
        ),
      )
    ).flat();
    // Stopped before the report (again in `finally`, a no-op then): every process's spans are written.
    await runner?.stop();
    await fleet?.stop();
    const spanRecords = [...spanCollector.records(), ...readSpanRecords(traceDir)];
    const tracing = tracingReport(spanRecords);
    const latencies = [...load.latenciesMs].sort((a, b) => a - b);
    const violations = Object.values(invariants).filter((v) => !v.ok).length;
    const ledger = env.payment.ledger();
    const { rows: fired } = await sql<{ event: string; n: number }>`SELECT event, count(*)::int AS n
      FROM ${sql.id(env.deps.schema, 'audit_events')} WHERE event IN ('inventory.short', 'payment.timed_out', 'inventory.timed_out')
      GROUP BY event`.execute(env.db);
    const eventCount = (event: string) => fired.find((row) => row.event === event)?.n ?? 0;
    const report = {
      orders,
      checkoutRequests: load.requests,
      seed,
      faults: {
        duplicateSubmissions: load.requests - orders,
        lostProviderResponses: env.payment.lostResponses().length,
        declines: ledger.filter((e) => e.status === 'declined').length,
        hotSkuShortages: eventCount('inventory.short'),
        providerOutages: env.payment.outages(),
        providerOutageCalls: env.payment.outageCalls(),
        paymentTimeouts: eventCount('payment.timed_out'),
        inventoryTimeouts: eventCount('inventory.timed_out'),
        poisonMessages: poisonMarkers.length,
        processKills: fleet?.kills ?? 0,
        relayProcessKills: (fleet?.killsByRole.relay ?? 0) + (fleet?.killsByRole.both ?? 0),
        consumerProcessKills: (fleet?.killsByRole.consumer ?? 0) + (fleet?.killsByRole.both ?? 0),
        duplicateDeliveries: duplicates?.count ?? 0,
        providerLatencySpikes: env.payment.latencySpikes(),
        providerThrottled: env.payment.throttled(),
        postgresRestarts: infraCounts.postgresRestart,
        sqsOutages: infraCounts.sqsOutage,
        dynamodbOutages: infraCounts.dynamodbOutage,
        hungWorkers: infraCounts.hungWorker,
        latencyBursts: infraCounts.latencyBurst,
      },
      // Every attempt's outcome (retries included): HTTP status, `timeout` (client gave up waiting), `error` (threw).
      checkoutResponses: load.checkoutResponses,
      checkoutAttempts: load.attempts,
      checkoutGaveUp: load.gaveUp.length,
      recovery,
      queues,
      invariants,
      violations,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      drainSeconds,
      tracing: {
        orders: tracing.orders,
        connected: tracing.connected,
        spans: tracing.spans,
        replayedRequests: tracing.replayedRequests,
      },
    };

    console.log('\norders by final state');
    console.table(progress.states);
    console.log('queues (one per stage; age alarm from topology.ts)');
    console.table(
      Object.fromEntries(
        QUEUE_NAMES.map((name) => [
          name,
          {
            ...queues[name],
            ageAlarmSeconds: TOPOLOGY[name].oldestAgeAlarmSeconds,
            perSecond: TOPOLOGY[name].perSecond,
          },
        ]),
      ),
    );
    if (report.faults.providerThrottled > 0) {
      console.log(
        `payment provider throttled ${report.faults.providerThrottled} calls: the payment stage's perSecond is above the provider's limit`,
      );
    }
    console.log('DLQ contents');
    console.table(
      dead.map(({ queue, message: m }) => ({
        queue,
        reason: m.reason,
        type: m.type ?? '-',
        orderId: m.orderId ?? '-',
        error: m.error.slice(0, 60),
      })),
    );
    console.log('invariants');
    console.table(
      Object.fromEntries(Object.entries(invariants).map(([name, v]) => [name, { ok: v.ok, detail: v.detail }])),
    );
    console.log(
      `checkout latency p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms; drained in ${drainSeconds.toFixed(1)} s`,
    );
    const traced = [...spansByOrder(spanRecords)].sort((a, b) => b[1].length - a[1].length)[0];
    if (traced !== undefined)
      console.log(`\none order's trace (~ = linked, not parented)\n${formatTimeline(traced[0], spanRecords)}`);
    console.log(
      `tracing: ${tracing.connected} of ${tracing.orders} orders connected (${tracing.spans} spans)${tracing.disconnected.length === 0 ? '' : `; not connected: ${JSON.stringify(tracing.disconnected)}`}`,
    );
    if (infra !== undefined) {
      console.log('infra faults (recovery: fault end -> next order COMPLETED)');
      console.table(recovery.byFault.map((f) => ({ fault: f.detail, recoverySeconds: f.seconds })));
      console.log(
        `checkout responses ${JSON.stringify(load.checkoutResponses)} over ${load.attempts} attempts, ${load.gaveUp.length} keys gave up; recovery.maxSeconds ${recovery.maxSeconds}`,
      );
    }
    console.log(violations === 0 ? 'all invariants hold' : `${violations} invariant(s) violated`);
    if (values.report !== undefined) await writeFile(values.report, `${JSON.stringify(report, null, 2)}\n`);
    exitCode = violations === 0 ? 0 : 1;
    if (values.console) await serveConsoleUntilInterrupted(env);
  } finally {
    clearTimeout(infraTimer);
    await faultRun?.stop();
    if (watching) await watch.stop();
    killing = false;
    await killer;
    await duplicates?.stop();
    await runner?.stop();
    await fleet?.stop();
    await env.close();
  }
} finally {
  await infra?.close();
  await stack.stop();
  await spanCollector.close();
  await rm(traceDir, { recursive: true, force: true });
}
process.exit(exitCode);
