import { randomUUID } from 'node:crypto';
import { createFaultProxy, type FaultProxy } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../db/migrations.js';
import { type ApiGatewayProxyEventLike, createApiHandler } from '../lambda/api-handler.js';
import { type CheckoutEnvironment, createCheckoutEnvironment } from '../local/checkout-environment.js';
import { checkout } from './checkout.js';
import { CHECKOUT_BUDGET } from './dependency-budget.js';
import { getOrder } from './get-order.js';

// The checkout API during a Postgres outage, through a fault proxy in front of the SHARED Postgres
// (the server itself is never restarted here): a typed 503 with Retry-After within the client's
// timeout instead of a hang, the same pool serving 201s again once the database is back, and an
// ambiguous COMMIT (committed, the client never heard) replayed on retry, never a second order.

const stack = useCheckoutStack();
let proxy: FaultProxy;
let env: CheckoutEnvironment;

beforeAll(async () => {
  proxy = await createFaultProxy({ target: stack.postgres.url });
  env = await createCheckoutEnvironment(
    {
      ...stack,
      postgres: { ...stack.postgres, url: proxy.url(stack.postgres.url), host: proxy.host, port: proxy.port },
    },
    { seed: 20, initialStock: { mug: 1_000 }, poolSize: 4 },
  );
});
afterAll(async () => {
  proxy?.setMode('pass');
  await env?.close();
  await proxy?.close();
});

const PRINCIPAL = 'tenant-outage';
const cart = {
  customerId: 'customer-1',
  currency: 'EUR',
  lines: [{ sku: 'mug', quantity: 1 }],
  paymentToken: 'tok_visa',
};

async function timedCheckout(key: string) {
  const started = performance.now();
  const response = await checkout(env.deps, { idempotencyKey: key, principal: PRINCIPAL, body: cart });
  return { response, ms: performance.now() - started };
}

function expectUnavailable(answer: { response: { status: number; headers: Record<string, string>; body: unknown } }) {
  expect(answer.response.status).toBe(503);
  expect(answer.response.headers['Retry-After']).toBe(String(CHECKOUT_BUDGET.retryAfterSeconds));
  expect(answer.response.body).toEqual({ error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'Internal error' } });
}

/** Orders and outbox rows written for `key` (read once the database is reachable again). */
async function writtenFor(key: string): Promise<{ orders: number; outbox: number; orderId: string | undefined }> {
  const schema = env.processConfig.schema;
  const orders = await env.db
    .withSchema(schema)
    .selectFrom('orders')
    .select('id')
    .where('principal', '=', PRINCIPAL)
    .where('idempotency_key', '=', key)
    .execute();
  const orderId = orders[0]?.id;
  const outbox =
    orderId === undefined
      ? 0
      : Number(
          (
            await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(`${schema}.${TABLES.outbox}`)}
              WHERE group_key = ${orderId}`.execute(env.db)
          ).rows[0]?.n,
        );
  return { orders: orders.length, outbox, orderId };
}

describe('checkout API during a Postgres outage', () => {
  it('refused: 503 + Retry-After at once (checkout and GET); the same pool answers 201 after', async () => {
    const before = await timedCheckout(randomUUID());
    expect(before.response.status).toBe(201);
    const pool = env.pool;
    proxy.setMode('refuse');
    const key = randomUUID();
    const down = await timedCheckout(key);
    expectUnavailable(down);
    expect(down.ms).toBeLessThan(CHECKOUT_BUDGET.clientTimeoutMs);
    const read = await getOrder(env.deps, {
      principal: PRINCIPAL,
      orderId: (before.response.body as { orderId: string }).orderId,
    });
    expect(read.status).toBe(503);
    expect(read.headers['Retry-After']).toBe('2');
    // Through the Lambda adapter too: the header reaches API Gateway.
    const api = createApiHandler(env.deps);
    const event: ApiGatewayProxyEventLike = {
      httpMethod: 'POST',
      path: '/checkout',
      headers: { 'Idempotency-Key': key },
      body: JSON.stringify(cart),
      requestContext: { authorizer: { principalId: PRINCIPAL } },
    };
    const viaLambda = await api(event);
    expect(viaLambda.statusCode).toBe(503);
    expect(viaLambda.headers?.['Retry-After']).toBe('2');

    proxy.setMode('pass');
    const after = await timedCheckout(key); // the client's retry, same key: nothing was written before
    expect(after.response.status).toBe(201);
    expect(after.response.headers['Idempotent-Replayed']).toBeUndefined();
    expect(env.pool).toBe(pool);
    expect(await writtenFor(key)).toMatchObject({ orders: 1, outbox: 1 });
  });

  it('blackholed: every request answers 503 within the budget; after it, retries settle on exactly one order per key', async () => {
    expect((await timedCheckout(randomUUID())).response.status).toBe(201); // idle connections in the pool
    proxy.setMode('blackhole');
    const keys = Array.from({ length: 6 }, () => randomUUID()); // more requests than connections (4)
    const answers = await Promise.all(keys.map((key) => timedCheckout(key)));
    for (const answer of answers) {
      expectUnavailable(answer);
      expect(answer.ms).toBeLessThan(CHECKOUT_BUDGET.clientTimeoutMs);
    }
    proxy.setMode('pass');
    // Held bytes now reach the server: some of those transactions may commit after their 503. A
    // client retrying with its key gets that order (replay) or places it now, never a second one.
    for (const key of keys) {
      let retry = await timedCheckout(key);
      for (let attempt = 0; retry.response.status !== 201 && attempt < 20; attempt += 1) {
        expect([409, 503]).toContain(retry.response.status);
        await new Promise((resolve) => setTimeout(resolve, 500));
        retry = await timedCheckout(key);
      }
      expect(retry.response.status).toBe(201);
      expect(await writtenFor(key)).toMatchObject({ orders: 1, outbox: 1 });
    }
  });

  it('blackholed past query_timeout: stuck connections are dropped, the pool recovers without a restart', async () => {
    expect((await timedCheckout(randomUUID())).response.status).toBe(201);
    const pool = env.pool;
    proxy.setMode('blackhole');
    const stuck = await timedCheckout(randomUUID());
    expectUnavailable(stuck);
    // Past the pool's query_timeout (6 s): the stuck connection has been destroyed, not kept.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    const late = await timedCheckout(randomUUID());
    expectUnavailable(late);
    expect(late.ms).toBeLessThan(CHECKOUT_BUDGET.clientTimeoutMs);
    proxy.setMode('pass');
    const key = randomUUID();
    const recovered = await timedCheckout(key);
    expect(recovered.response.status).toBe(201);
    expect(env.pool).toBe(pool);
    expect(await writtenFor(key)).toMatchObject({ orders: 1, outbox: 1 });
  }, 30_000);

  it('ambiguous COMMIT: committed, the client never heard; the retry replays it (one order, one AuthorizePayment)', async () => {
    const key = randomUUID();
    const cut = proxy.cutAfter('commit'); // Kysely sends it in lower case
    const first = await timedCheckout(key);
    await cut;
    expectUnavailable(first);
    // It did commit: the order is there although the client got a 503.
    const committed = await writtenFor(key);
    expect(committed).toMatchObject({ orders: 1, outbox: 1 });
    const retry = await timedCheckout(key);
    expect(retry.response.status).toBe(201);
    expect(retry.response.headers['Idempotent-Replayed']).toBe('true');
    expect((retry.response.body as { orderId: string }).orderId).toBe(committed.orderId);
    expect(await writtenFor(key)).toEqual(committed);
  });
});
