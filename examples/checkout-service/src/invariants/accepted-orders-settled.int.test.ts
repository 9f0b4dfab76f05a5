import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CheckoutEnvironment, createCheckoutEnvironment } from '../local/checkout-environment.js';
import { runLoad } from '../local/run-load.js';
import { QUEUE_NAMES } from '../topology.js';
import { type CheckoutSubmission, checkInvariants } from './check-invariants.js';

// No workers run: the accepted orders stay PENDING_PAYMENT, which is what the invariant must catch,
// together with answers the durable state does not back.
let env: CheckoutEnvironment;

beforeAll(async () => {
  env = await createCheckoutEnvironment(useCheckoutStack(), { seed: 9, initialStock: { mug: 10, tee: 10, hot: 1 } });
});
afterAll(async () => {
  await env?.close();
});

const check = (submissions: readonly CheckoutSubmission[]) =>
  checkInvariants({
    deps: env.deps,
    initialStock: { mug: 10, tee: 10, hot: 1 },
    submissions,
    ledger: [],
    emails: [],
    sqs: env.sqs,
    deadLetterQueueUrls: QUEUE_NAMES.map((name) => env.queues[name].dlq.queueUrl),
  });

it('acceptedOrdersSettled: a 201 must be an existing, terminal order; a retried key must end with exactly its one order', async () => {
  const load = await runLoad(env.deps, { orders: 2, seed: 9, hotShare: 0, declineShare: 0 });
  expect(load.checkoutResponses).toEqual({ 201: load.attempts });
  expect(load.gaveUp).toEqual([]);
  const [first, second] = load.submissions;
  if (first === undefined || second === undefined) throw new Error('two submissions expected');

  // Accepted but not settled (no worker ran).
  const pending = (await check(load.submissions)).acceptedOrdersSettled;
  expect(pending.ok).toBe(false);
  expect(pending.detail).toContain('is PENDING_PAYMENT');

  // Settle both (as the workers would have), then the honest history passes.
  await env.db.withSchema(env.deps.schema).updateTable('orders').set({ state: 'CANCELLED' }).execute();
  expect((await check(load.submissions)).acceptedOrdersSettled).toMatchObject({ ok: true });

  // A 201 whose order does not exist.
  const ghost = await check([{ ...first, orderIds: ['00000000-0000-4000-8000-000000000000'] }]);
  expect(ghost.acceptedOrdersSettled.detail).toContain('which does not exist');

  // A retried key whose clients were finally refused (4xx) must have no order, yet it has one.
  const refused = await check([{ ...second, orderIds: [], retried: true, finalStatuses: [422, 422] }]);
  expect(refused.acceptedOrdersSettled.ok).toBe(false);
  expect(refused.acceptedOrdersSettled.detail).toContain('has 1 orders');

  // A retried key answered 201 with another id than the one stored.
  const other = await check([{ ...second, orderIds: [first.orderIds[0] ?? ''], retried: true, finalStatuses: [201] }]);
  expect(other.acceptedOrdersSettled.detail).toContain('answered an id that is not its order');

  // A retried key with no order at all although it was answered 201 (an accepted order lost).
  const lost = await check([
    { principal: 'demo-shop', key: 'never-stored', orderIds: [], retried: true, finalStatuses: [201, 201] },
  ]);
  expect(lost.acceptedOrdersSettled.detail).toContain('has 0 orders');
  // A key that gave up is reported, not required to have an order.
  const gaveUp = await check([{ ...second, orderIds: [], retried: true, gaveUp: true, finalStatuses: ['none'] }]);
  expect(gaveUp.acceptedOrdersSettled).toMatchObject({ ok: true });
  expect(gaveUp.acceptedOrdersSettled.detail).toContain('1 keys gave up');
}, 60_000);
