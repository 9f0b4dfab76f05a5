import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../invariants/check-invariants.js';
import { QUEUE_NAMES } from '../topology.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { type LocalRunner, startLocalRunner } from './local-runner.js';
import { watchQueues } from './queue-watch.js';
import { runLoad } from './run-load.js';

const INITIAL_STOCK = { mug: 10_000, tee: 10_000, hot: 5 };
let env: CheckoutEnvironment;
let runner: LocalRunner | undefined;

beforeAll(async () => {
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 21,
    faults: { lostResponseRate: 0.3, latencyMs: 2, spikeRate: 0.1, spikeMs: 50 },
    initialStock: INITIAL_STOCK,
  });
});
afterAll(async () => {
  await runner?.stop();
  await env?.close();
});

describe('local runner (one long-poll consumer per stage queue + 2 relays, the container shape)', () => {
  it('drains 40 checkouts with duplicate submissions, declines, lost responses, a hot SKU and poison, and every invariant holds', async () => {
    const markers = ['poison-local-1'];
    await env.sqs.send(
      new SendMessageCommand({ QueueUrl: env.queues.fulfillment.queueUrl, MessageBody: `not json ${markers[0]}` }),
    );
    const watch = watchQueues(env.sqs, env.queues);
    runner = await startLocalRunner({
      deps: env.deps,
      pool: env.pool,
      sqs: env.sqs,
      queueUrls: env.processConfig.queueUrls,
      listen: env.postgresUrl,
      onAge: watch.recordAge,
    });
    const load = await runLoad(env.deps, { orders: 40, seed: 21, hotShare: 0.3, declineShare: 0.1 });
    expect(load.statuses).toEqual({ 201: load.requests });
    await waitForDrain(env, { timeoutMs: 90_000 });
    const invariants = await checkInvariants({
      deps: env.deps,
      initialStock: INITIAL_STOCK,
      submissions: load.submissions,
      ledger: env.payment.ledger(),
      emails: env.email.sent(),
      sqs: env.sqs,
      deadLetterQueueUrls: QUEUE_NAMES.map((name) => env.queues[name].dlq.queueUrl),
      poisonMarkers: markers,
    });
    expect(Object.entries(invariants).filter(([, v]) => !v.ok)).toEqual([]);
    const queues = await watch.stop();
    // The poison went to the DLQ of the queue it was sent to, and nowhere else.
    expect(Object.fromEntries(QUEUE_NAMES.map((name) => [name, queues[name].dlq]))).toEqual({
      payment: 0,
      inventory: 0,
      fulfillment: 1,
      notification: 0,
      analytics: 0,
    });
    expect(Math.max(...QUEUE_NAMES.map((name) => queues[name].maxOldestAgeSeconds))).toBeGreaterThan(0);
    expect(Math.max(...QUEUE_NAMES.map((name) => queues[name].maxDepth))).toBeGreaterThan(0);
    const { states } = await env.progress();
    // The seed's mix reaches every outcome.
    expect(Object.keys(states).sort()).toEqual(['CANCELLED', 'COMPLETED', 'PAYMENT_DECLINED']);
    expect(env.payment.lostResponses().length).toBeGreaterThan(0);
  });
});
