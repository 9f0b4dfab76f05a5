import { randomUUID } from 'node:crypto';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkout } from '../api/checkout.js';
import { checkInvariants } from '../invariants/check-invariants.js';
import { QUEUE_NAMES } from '../topology.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { type ProcessFleet, startProcessFleet } from './process-fleet.js';

// A worker frozen (SIGSTOP: a Lambda container frozen, a stalled host) while it handles
// AuthorizePayment, past its queue's visibility timeout (4 s in worker processes): the message is
// redelivered and handled by another worker; then the first one resumes and finishes late. One
// charge at the provider, one transition (contiguous audit versions), nothing dead-lettered.

const INITIAL_STOCK = { mug: 100 };
const PAUSE_MS = 20_000;
let env: CheckoutEnvironment;
const fleets: ProcessFleet[] = [];

beforeAll(async () => {
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 44,
    // Every provider call takes 2 s: the first worker is surely inside the handler when frozen.
    faults: { latencyMs: 2_000, declineRate: 0, lostResponseRate: 0, spikeRate: 0 },
    initialStock: INITIAL_STOCK,
  });
});
afterAll(async () => {
  await Promise.all(fleets.map((fleet) => fleet.stop()));
  await env?.close();
});

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a worker frozen past its visibility timeout finishes late', () => {
  it('without a second charge or a second transition, and nothing dead-lettered', async () => {
    const calls: number[] = [];
    const authorize = env.payment.authorize.bind(env.payment);
    const spy = vi.spyOn(env.payment, 'authorize').mockImplementation((request) => {
      calls.push(Date.now());
      return authorize(request);
    });
    try {
      const first = await startProcessFleet(env.processConfig, ['relay', 'consumer']);
      fleets.push(first);
      const key = randomUUID();
      const principal = 'tenant-late';
      const placed = await checkout(env.deps, {
        idempotencyKey: key,
        principal,
        body: { customerId: 'c-1', currency: 'EUR', lines: [{ sku: 'mug', quantity: 2 }], paymentToken: 'tok_visa' },
      });
      expect(placed.status).toBe(201);
      const orderId = (placed.body as { orderId: string }).orderId;

      // The consumer process called the provider: freeze it mid-handler.
      await until(() => calls.length >= 1, 30_000, 'the first authorize call');
      const frozenAt = Date.now();
      const paused = first.pause(1, PAUSE_MS);
      expect(first.pauses).toBe(1);
      // Another worker joins; the message comes back to it once the frozen one's visibility ran out.
      const second = await startProcessFleet(env.processConfig, ['consumer']);
      fleets.push(second);
      await until(() => calls.length >= 2, PAUSE_MS - 2_000, 'the redelivered authorize call');
      const redeliveredAt = calls[1] ?? 0;
      expect(redeliveredAt - frozenAt).toBeLessThan(PAUSE_MS); // handled while the first was frozen
      const advanced = async () => (await env.deps.orders.get(env.deps.db, orderId)).state;
      const deadline = Date.now() + 30_000;
      while ((await advanced()) === 'PENDING_PAYMENT' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The order moved on while the first worker was still frozen.
      expect(Date.now() - frozenAt).toBeLessThan(PAUSE_MS);
      expect(await advanced()).not.toBe('PENDING_PAYMENT');

      await paused; // resumed: it now finishes its handler, late
      await waitForDrain(env, { timeoutMs: 90_000 });
      // Give the late worker time to finish (its provider answer, its duplicate transition, its ack).
      await new Promise((resolve) => setTimeout(resolve, 3_000));

      const ledger = env.payment.ledger().filter((entry) => entry.orderId === orderId);
      expect(ledger).toHaveLength(1);
      expect(ledger[0]?.status).toBe('authorized');
      const history = await env.deps.orders.history(env.deps.db, orderId);
      expect(history.map((entry) => entry.version)).toEqual(history.map((_, index) => index + 1));
      expect(history.filter((entry) => entry.event === 'payment.authorized')).toHaveLength(1);
      expect(history.at(-1)?.to).toBe('COMPLETED');
      const progress = await env.progress();
      expect(progress.deadLettered).toBe(0);

      const report = await checkInvariants({
        deps: env.deps,
        initialStock: INITIAL_STOCK,
        submissions: [{ principal, key, orderIds: [orderId] }],
        ledger: env.payment.ledger(),
        emails: env.email.sent(),
        sqs: env.sqs,
        deadLetterQueueUrls: QUEUE_NAMES.map((name) => env.queues[name].dlq.queueUrl),
      });
      const failed = Object.entries(report).filter(([, result]) => !result.ok);
      expect(failed).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  }, 180_000);
});
