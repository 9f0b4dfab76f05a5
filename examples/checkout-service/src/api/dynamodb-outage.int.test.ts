import { randomUUID } from 'node:crypto';
import { createFaultProxy, type FaultProxy } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CheckoutEnvironment, createCheckoutEnvironment } from '../local/checkout-environment.js';
import { checkout } from './checkout.js';
import { CHECKOUT_BUDGET } from './dependency-budget.js';

// DynamoDB on the checkout path is only the cart snapshot saved after the commit (best effort): a
// DynamoDB outage (a fault proxy blackholing DynamoDB Local) must not hold the 201 past the budget.

const stack = useCheckoutStack();
let proxy: FaultProxy;
let env: CheckoutEnvironment;

beforeAll(async () => {
  proxy = await createFaultProxy({ target: stack.dynamodb.endpoint });
  const endpoint = proxy.endpoint;
  env = await createCheckoutEnvironment(
    { ...stack, dynamodb: { ...stack.dynamodb, endpoint, clientConfig: { ...stack.dynamodb.clientConfig, endpoint } } },
    { seed: 21, initialStock: { mug: 100 } },
  );
});
afterAll(async () => {
  proxy?.setMode('pass');
  await env?.close();
  await proxy?.close();
});

const PRINCIPAL = 'tenant-dynamo';
const cart = {
  customerId: 'customer-1',
  currency: 'EUR',
  lines: [{ sku: 'mug', quantity: 1 }],
  paymentToken: 'tok_visa',
};

describe('checkout API during a DynamoDB outage', () => {
  it('blackholed DynamoDB: 201 within the budget, the snapshot logged as not saved; saved again after', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      proxy.setMode('blackhole');
      const started = performance.now();
      const response = await checkout(env.deps, { idempotencyKey: randomUUID(), principal: PRINCIPAL, body: cart });
      const ms = performance.now() - started;
      expect(response.status).toBe(201);
      expect(ms).toBeLessThan(CHECKOUT_BUDGET.clientTimeoutMs);
      expect(ms).toBeGreaterThanOrEqual(CHECKOUT_BUDGET.cartSnapshotMs - 50); // it did wait for the snapshot, bounded
      expect(logged).toHaveBeenCalledWith(
        'checkout: cart snapshot not saved',
        (response.body as { orderId: string }).orderId,
        'timed out',
      );

      proxy.setMode('refuse');
      const refused = await checkout(env.deps, { idempotencyKey: randomUUID(), principal: PRINCIPAL, body: cart });
      expect(refused.status).toBe(201);

      proxy.setMode('pass');
      logged.mockClear();
      const key = randomUUID();
      const after = await checkout(env.deps, { idempotencyKey: key, principal: PRINCIPAL, body: cart });
      expect(after.status).toBe(201);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });
});
