import { randomUUID } from 'node:crypto';
import { startEmbeddedPostgres } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutEnvironment, createCheckoutEnvironment } from '../local/checkout-environment.js';
import { checkout } from './checkout.js';
import { CHECKOUT_BUDGET } from './dependency-budget.js';

// A real restart, as a failover looks to clients (the postmaster SIGKILLed, every connection
// dropped, the server down, then crash recovery on the same data directory and port), on a PRIVATE
// Postgres: clients retrying their key through it get 503s within the budget, then exactly one
// order each, from the same pool, without a process restart.

const stack = useCheckoutStack();
let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let env: CheckoutEnvironment;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  env = await createCheckoutEnvironment(
    { ...stack, postgres: server },
    { seed: 22, initialStock: { mug: 1_000 }, poolSize: 4 },
  );
}, 120_000);
afterAll(async () => {
  await env?.close();
  await server?.stop();
});

const PRINCIPAL = 'tenant-restart';
const cart = {
  customerId: 'customer-1',
  currency: 'EUR',
  lines: [{ sku: 'mug', quantity: 1 }],
  paymentToken: 'tok_visa',
};

interface Attempt {
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | undefined;
  readonly replayed: boolean;
}

/** A client: retries its key after every 503 / 409 (waiting `Retry-After`, shortened here) until 201. */
async function client(key: string, attempts: Attempt[]): Promise<string> {
  for (let tries = 0; tries < 60; tries += 1) {
    const started = performance.now();
    const response = await checkout(env.deps, { idempotencyKey: key, principal: PRINCIPAL, body: cart });
    attempts.push({
      status: response.status,
      ms: performance.now() - started,
      retryAfter: response.headers['Retry-After'],
      replayed: response.headers['Idempotent-Replayed'] === 'true',
    });
    if (response.status === 201) return (response.body as { orderId: string }).orderId;
    expect([409, 503]).toContain(response.status);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`key ${key} never got its order`);
}

describe('checkout API across a Postgres restart (private server)', () => {
  it('503 + Retry-After within the budget while it is down, one order per key after, the same pool', async () => {
    const pool = env.pool;
    expect((await checkout(env.deps, { idempotencyKey: randomUUID(), principal: PRINCIPAL, body: cart })).status).toBe(
      201,
    );
    const attempts: Attempt[] = [];
    const keys: string[] = [];
    const clients: Promise<string>[] = [];
    const restart = server.restart({ downMs: 3_000 });
    // Clients keep arriving during the restart, each retrying its own key.
    for (let i = 0; i < 12; i += 1) {
      const key = randomUUID();
      keys.push(key);
      clients.push(client(key, attempts));
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const { downMs } = await restart;
    expect(downMs).toBeGreaterThanOrEqual(3_000);
    const orderIds = await Promise.all(clients);

    const unavailable = attempts.filter((attempt) => attempt.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const attempt of unavailable) expect(attempt.retryAfter).toBe(String(CHECKOUT_BUDGET.retryAfterSeconds));
    for (const attempt of attempts) expect(attempt.ms).toBeLessThan(CHECKOUT_BUDGET.clientTimeoutMs);
    // Exactly one order per key, the one its client got.
    const rows = await env.db
      .withSchema(env.processConfig.schema)
      .selectFrom('orders')
      .select(['id', 'idempotency_key'])
      .where('idempotency_key', 'in', keys)
      .execute();
    expect(rows).toHaveLength(keys.length);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(orderIds));
    expect(env.pool).toBe(pool);
  }, 120_000);
});
