import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../invariants/check-invariants.js';
import { createSeededRandom } from '../random/seeded-random.js';
import { QUEUE_NAMES, TOPOLOGY } from '../topology.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { type DuplicateDeliveries, startDuplicateDeliveries } from './duplicate-deliveries.js';
import { type ProcessFleet, startProcessFleet } from './process-fleet.js';
import { type QueueWatch, watchQueues } from './queue-watch.js';
import { runLoad } from './run-load.js';

const INITIAL_STOCK = { mug: 10_000, tee: 10_000, hot: 6 };
let env: CheckoutEnvironment;
let fleet: ProcessFleet | undefined;
let duplicates: DuplicateDeliveries | undefined;
let watch: QueueWatch | undefined;

beforeAll(async () => {
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 33,
    // Spikes of 6 s outlast the workers' 5 s provider timeout: the charge lands after the caller gave up.
    faults: { lostResponseRate: 0.2, latencyMs: 5, spikeRate: 0.03, spikeMs: 6_000 },
    initialStock: INITIAL_STOCK,
  });
});
afterAll(async () => {
  await watch?.stop();
  await duplicates?.stop();
  await fleet?.stop();
  await env?.close();
});

describe('chaos: worker processes SIGKILLed, duplicate SQS deliveries, provider spikes past the client timeout', () => {
  it('keeps every invariant with relay and consumer processes killed separately at seeded moments', async () => {
    const queues = watchQueues(env.sqs, env.queues);
    watch = queues;
    fleet = await startProcessFleet(env.processConfig, ['relay', 'consumer', 'consumer'], { onAge: queues.recordAge });
    duplicates = startDuplicateDeliveries({
      sqs: env.sqs,
      queues: QUEUE_NAMES.map((name) => ({ queueUrl: env.queues[name].queueUrl, fifo: TOPOLOGY[name].fifo })),
      seed: 34,
    });
    const random = createSeededRandom(33);
    let loading = true;
    const killer = (async () => {
      // At least 3 kills whatever the machine's speed (a restart takes longer under load).
      while (
        loading ||
        (fleet?.kills ?? 0) < 3 ||
        (fleet?.killsByRole.relay ?? 0) < 1 ||
        (fleet?.killsByRole.consumer ?? 0) < 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, random.int(300, 1_200)));
        await fleet?.killAndRestart(random.int(0, 2));
      }
    })();
    const load = await runLoad(env.deps, { orders: 150, seed: 33, hotShare: 0.3, declineShare: 0.1, concurrency: 4 });
    // Keep killing while the flow is mid-way, then let it drain.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    loading = false;
    await killer;
    await duplicates.stop();
    await waitForDrain(env, { timeoutMs: 150_000 });
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
    watch = undefined;
    const report = await queues.stop();
    // Every stage carried work, and the workers (in killed and restarted processes) reported ages.
    for (const name of QUEUE_NAMES) expect(report[name].dlq, name).toBe(0);
    expect(Math.max(...QUEUE_NAMES.map((name) => report[name].maxOldestAgeSeconds))).toBeGreaterThan(0);
    expect(Math.max(...QUEUE_NAMES.map((name) => report[name].maxDepth))).toBeGreaterThan(0);
    expect(env.payment.throttled()).toBe(0);
    expect(fleet.kills).toBeGreaterThanOrEqual(3);
    expect(fleet.killsByRole.relay).toBeGreaterThanOrEqual(1);
    expect(fleet.killsByRole.consumer).toBeGreaterThanOrEqual(1);
    expect(duplicates.count).toBeGreaterThan(0);
    expect(env.payment.latencySpikes()).toBeGreaterThan(0);
  }, 240_000);
});
