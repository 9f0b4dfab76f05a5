import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkInvariants } from '../invariants/check-invariants.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from '../local/checkout-environment.js';
import { type LocalRunner, startLocalRunner } from '../local/local-runner.js';
import { runLoad } from '../local/run-load.js';
import type { PaymentGateway } from '../service/checkout-deps.js';
import { QUEUE_NAMES } from '../topology.js';

// The provider charges at once but answers 3 s later, after the 1 s payment deadline cancelled the order:
// the worker's `advance` finds the order moved on and voids that authorization (compensation).
const INITIAL_STOCK = { mug: 100, tee: 100, hot: 100 };
let env: CheckoutEnvironment;
let runner: LocalRunner | undefined;

beforeAll(async () => {
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 5,
    initialStock: INITIAL_STOCK,
    deadlines: { pendingPaymentSeconds: 1, paymentAuthorizedSeconds: 30 },
  });
});
afterAll(async () => {
  await runner?.stop();
  await env?.close();
});

it('an authorization answered after the payment deadline is voided, never left charged', async () => {
  const slow: PaymentGateway = {
    authorize: async (request) => {
      const result = await env.payment.authorize(request);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      return result;
    },
    void: (authorizationId) => env.payment.void(authorizationId),
    cancel: (requestId) => env.payment.cancel(requestId),
  };
  runner = await startLocalRunner({
    deps: { ...env.deps, payment: slow },
    pool: env.pool,
    sqs: env.sqs,
    queueUrls: env.processConfig.queueUrls,
  });
  const load = await runLoad(env.deps, { orders: 3, seed: 5, hotShare: 0, declineShare: 0, concurrency: 3 });
  await waitForDrain(env, { timeoutMs: 60_000 });

  const orders = await env.db
    .withSchema(env.deps.schema)
    .selectFrom('orders')
    .innerJoin('payment_intents', 'payment_intents.order_id', 'orders.id')
    .select(['orders.id', 'orders.state', 'payment_intents.status', 'payment_intents.authorization_id'])
    .execute();
  expect(orders).toHaveLength(3);
  for (const order of orders) {
    expect(order).toMatchObject({ state: 'CANCELLED', status: 'voided' });
    // Set only by the late-authorization void (the timeout's request cancel does not know the id).
    expect(order.authorization_id).toMatch(/^auth_/);
    const history = await env.deps.orders.history(env.db, order.id);
    expect(history.map((entry) => entry.event)).toEqual([null, 'payment.timed_out']);
  }
  expect(env.payment.ledger().map((entry) => entry.status)).toEqual(['voided', 'voided', 'voided']);
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
}, 90_000);
