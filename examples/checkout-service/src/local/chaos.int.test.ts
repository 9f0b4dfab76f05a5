import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../invariants/check-invariants.js';
import { createSeededRandom } from '../random/seeded-random.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { type ProcessFleet, startProcessFleet } from './process-fleet.js';
import { runLoad } from './run-load.js';

const INITIAL_STOCK = { mug: 10_000, tee: 10_000, hot: 6 };
let env: CheckoutEnvironment;
let fleet: ProcessFleet | undefined;

beforeAll(async () => {
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 33,
    faults: { lostResponseRate: 0.2, latencyMs: 5, spikeRate: 0.1, spikeMs: 200 },
    initialStock: INITIAL_STOCK,
  });
});
afterAll(async () => {
  await fleet?.stop();
  await env?.close();
});

describe('chaos: worker processes (relays + consumers) SIGKILLed and restarted during the load', () => {
  it('keeps every invariant with 3 worker processes killed at seeded moments', async () => {
    fleet = await startProcessFleet(env.processConfig, 3);
    const random = createSeededRandom(33);
    let loading = true;
    const killer = (async () => {
      // At least 3 kills whatever the machine's speed (a restart takes longer under load).
      while (loading || (fleet?.kills ?? 0) < 3) {
        await new Promise((resolve) => setTimeout(resolve, random.int(300, 1_200)));
        await fleet?.killAndRestart(random.int(0, 2));
      }
    })();
    const load = await runLoad(env.deps, { orders: 60, seed: 33, hotShare: 0.3, declineShare: 0.1, concurrency: 4 });
    // Keep killing while the flow is mid-way, then let it drain.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    loading = false;
    await killer;
    await waitForDrain(env, { timeoutMs: 150_000 });
    const invariants = await checkInvariants({
      deps: env.deps,
      initialStock: INITIAL_STOCK,
      submissions: load.submissions,
      ledger: env.payment.ledger(),
      emails: env.email.sent(),
      sqs: env.sqs,
      deadLetterQueueUrl: env.queue.dlq.queueUrl,
    });
    expect(Object.entries(invariants).filter(([, v]) => !v.ok)).toEqual([]);
    expect(fleet.kills).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
