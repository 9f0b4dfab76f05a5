import { type EmbeddedPostgres, startEmbeddedPostgres } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../invariants/check-invariants.js';
import { QUEUE_NAMES } from '../topology.js';
import { type InfraFaults, startInfraFaults } from './chaos-infra.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { INFRA_FAULT_MINIMUMS } from './infra-fault-plan.js';
import { countInfraFaults, type InfraFaultRun } from './infra-faults.js';
import { type ProcessFleet, startProcessFleet } from './process-fleet.js';
import { measureRecovery } from './recovery.js';
import { runLoad } from './run-load.js';

// CI's `--infra-faults` run (the small one; `pnpm chaos --infra-faults` is the big one). Postgres is
// a private server (its restarts must not disturb the other test files on the shared stack); SQS and
// DynamoDB are the shared ones, behind this test's own fault proxies.
const INITIAL_STOCK = { mug: 10_000, tee: 10_000, hot: 5 };
let server: EmbeddedPostgres | undefined;
let infra: InfraFaults | undefined;
let env: CheckoutEnvironment | undefined;
let fleet: ProcessFleet | undefined;
let run: InfraFaultRun | undefined;

beforeAll(async () => {
  const shared = useCheckoutStack();
  server = await startEmbeddedPostgres();
  const postgres = server;
  infra = await startInfraFaults(
    { postgres, sqs: shared.sqs, dynamodb: shared.dynamodb },
    { seed: 20, compact: true, restartPostgres: (options) => postgres.restart(options) },
  );
  env = await createCheckoutEnvironment(infra.stack, {
    seed: 20,
    faults: { lostResponseRate: 0.1, latencyMs: 5 },
    initialStock: INITIAL_STOCK,
  });
}, 120_000);
afterAll(async () => {
  await run?.stop();
  await fleet?.stop();
  await env?.close();
  await infra?.close();
  await server?.stop();
}, 60_000);

describe('chaos with infrastructure faults (CI run of --infra-faults)', () => {
  it('keeps every invariant through Postgres restarts, SQS and DynamoDB outages, latency bursts and hung workers', async () => {
    if (env === undefined || infra === undefined) throw new Error('beforeAll did not run');
    fleet = await startProcessFleet(env.processConfig, ['relay', 'consumer', 'consumer']);
    const plan = infra.plan([1, 2]);
    run = infra.run(plan, fleet);
    const load = await runLoad(env.deps, {
      orders: 60,
      seed: 20,
      hotShare: 0.2,
      declineShare: 0.1,
      concurrency: 4,
      spreadMs: plan.durationMs + 5_000,
    });
    const executed = await run.done;
    await waitForDrain(env, { timeoutMs: 180_000 });
    const invariants = await checkInvariants({
      deps: env.deps,
      initialStock: INITIAL_STOCK,
      submissions: load.submissions,
      ledger: env.payment.ledger(),
      emails: env.email.sent(),
      sqs: env.sqs,
      deadLetterQueueUrls: QUEUE_NAMES.map((name) => env?.queues[name].dlq.queueUrl ?? ''),
    });
    expect(Object.entries(invariants).filter(([, v]) => !v.ok)).toEqual([]);
    // Every fault of the plan happened, at least the minimum of each kind.
    const counts = countInfraFaults(executed);
    for (const [kind, minimum] of Object.entries(INFRA_FAULT_MINIMUMS))
      expect(counts[kind as keyof typeof counts], kind).toBeGreaterThanOrEqual(minimum);
    expect(executed.filter((f) => f.detail.includes('failed'))).toEqual([]);
    // The clients met the faults (some attempt was not a plain 201), kept retrying and got an answer.
    expect(Object.keys(load.checkoutResponses).some((outcome) => outcome !== '201')).toBe(true);
    expect(load.gaveUp).toEqual([]);
    const recovery = await measureRecovery(env.deps, executed);
    expect(recovery.byFault).toHaveLength(executed.length);
    expect(recovery.maxSeconds).toBeGreaterThan(0);
    expect(recovery.maxSeconds).toBeLessThan(120);
  }, 300_000);
});
