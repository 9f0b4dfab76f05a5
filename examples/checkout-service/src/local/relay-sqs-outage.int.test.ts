import { createFaultProxy, type FaultProxy } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { type LocalRunner, startLocalRunner } from './local-runner.js';
import { runLoad } from './run-load.js';

// The local runner's relays keep outbox rows pending through an SQS outage far longer than ten
// backoffs (the relay's default maxAttempts), then publish them: no dead row, no stuck order.
let proxy: FaultProxy | undefined;
let env: CheckoutEnvironment | undefined;
let runner: LocalRunner | undefined;

beforeAll(async () => {
  const stack = useCheckoutStack();
  const sqs = await createFaultProxy({ target: stack.sqs.endpoint });
  proxy = sqs;
  env = await createCheckoutEnvironment(
    {
      ...stack,
      sqs: {
        ...stack.sqs,
        endpoint: sqs.endpoint,
        clientConfig: { ...stack.sqs.clientConfig, endpoint: sqs.endpoint },
      },
    },
    { seed: 4, initialStock: { mug: 100, tee: 100, hot: 100 } },
  );
});
afterAll(async () => {
  proxy?.setMode('pass');
  await runner?.stop();
  await env?.close();
  await proxy?.close();
});

it('outbox rows survive an SQS outage of 20 s and are published after it', async () => {
  if (env === undefined || proxy === undefined) throw new Error('beforeAll did not run');
  proxy.setMode('refuse');
  runner = await startLocalRunner({
    deps: env.deps,
    pool: env.pool,
    sqs: env.sqs,
    queueUrls: env.processConfig.queueUrls,
    listen: env.postgresUrl,
  });
  const load = await runLoad(env.deps, { orders: 3, seed: 4, hotShare: 0, declineShare: 0 });
  expect(load.gaveUp).toEqual([]);
  // Long enough for 10 attempts at the relays' 2 s backoff cap.
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  const during = await env.deps.outbox.stats(env.db);
  expect(during.dead).toBe(0);
  expect(during.pending).toBeGreaterThan(0);
  proxy.setMode('pass');
  await waitForDrain(env, { timeoutMs: 90_000 });
  const after = await env.deps.outbox.stats(env.db);
  expect(after).toMatchObject({ pending: 0, dead: 0 });
  const states = await env.db.withSchema(env.deps.schema).selectFrom('orders').select('state').execute();
  expect(states.map((s) => s.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
}, 150_000);
