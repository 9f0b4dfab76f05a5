import { type AddressInfo, createServer } from 'node:net';
import { createTestQueue, createTestSchema, type TestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutConfig } from '../shared/checkout.js';
import { migrateToLatest, type RecipeDatabase } from '../shared/database.js';
import type { ListenOptions, RunningApp } from '../shared/running-app.js';

/** How a recipe starts. */
export type StartRecipe = (config: CheckoutConfig, listen?: ListenOptions) => Promise<RunningApp>;

const cart = { cartId: 'cart-1', amountMinor: 4_200, currency: 'EUR' };

/** Kinds of live handles (sockets, timers, ...) of this process, counted by kind. */
function liveHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The kinds with more live handles now than in `baseline` ({} when nothing leaked). */
function leakedSince(baseline: Map<string, number>): Record<string, number> {
  const leaked: Record<string, number> = {};
  for (const [kind, count] of liveHandles()) {
    const extra = count - (baseline.get(kind) ?? 0);
    if (extra > 0) leaked[kind] = extra;
  }
  return leaked;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The one contract every recipe meets, over real HTTP on 127.0.0.1 against the local stack (a fresh
 * schema and queue per recipe): idempotent checkout, caller-scoped lookup, relay and consumer end to
 * end, and a shutdown that leaves no live handle behind.
 */
export function describeRecipe(name: string, start: StartRecipe): void {
  describe(`${name} recipe`, () => {
    const stack = useCheckoutStack();
    let schema: TestSchema;
    let db: Kysely<RecipeDatabase>;
    let app: RunningApp | undefined;
    let baseline: Map<string, number>;
    let queueUrl: string;

    const post = (principal: string, key: string | undefined, body: unknown) =>
      fetch(`${app?.url}/checkout`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-principal': principal,
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        body: JSON.stringify(body),
      });
    const getOrder = (principal: string | undefined, orderId: string) =>
      fetch(`${app?.url}/orders/${orderId}`, { headers: principal === undefined ? {} : { 'x-principal': principal } });

    beforeAll(async () => {
      schema = await createTestSchema(stack.postgres, 'recipe');
      const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5, visibilityTimeoutSeconds: 10 });
      queueUrl = queue.queueUrl;
      db = new Kysely<RecipeDatabase>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: stack.postgres.url, max: 2 }) }),
      });
      await migrateToLatest(db, schema.name);
      baseline = liveHandles();
      app = await start({
        postgresUrl: stack.postgres.url,
        schema: schema.name,
        sqs: stack.sqs.clientConfig,
        queueUrl: queue.queueUrl,
      });
    });

    afterAll(async () => {
      await app?.close();
      await db?.destroy();
      await schema?.drop();
    });

    it('listens on 127.0.0.1', () => {
      expect(app?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('checkout: 201, the same key replays the same order, another body with that key is a 422, bad input a 400/401', async () => {
      const first = await post('alice', 'key-1', cart);
      expect(first.status).toBe(201);
      const order = (await first.json()) as { orderId: string; state: string };
      expect(order).toEqual({
        orderId: expect.any(String),
        state: 'PENDING_PAYMENT',
        amountMinor: 4_200,
        currency: 'EUR',
      });
      expect(first.headers.get('location')).toBe(`/orders/${order.orderId}`);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      const replay = await post('alice', 'key-1', cart);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(order);

      const reused = await post('alice', 'key-1', { ...cart, amountMinor: 1 });
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });

      // The same key from another caller is another key (scoped): a second order.
      const bob = await post('bob', 'key-1', cart);
      expect(bob.status).toBe(201);
      expect(((await bob.json()) as { orderId: string }).orderId).not.toBe(order.orderId);

      const noKey = await post('alice', undefined, cart);
      expect(noKey.status).toBe(400);
      expect(await noKey.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'Idempotency-Key' } });
      const longKey = await post('alice', 'k'.repeat(256), cart);
      expect(longKey.status).toBe(400);
      expect(await longKey.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_INVALID', field: 'key' } });
      const badCart = await post('alice', 'key-2', { ...cart, amountMinor: -5 });
      expect(badCart.status).toBe(400);
      expect(await badCart.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'body.amountMinor' } });
      // Not JSON: each framework's own 400 (Hono's recipe: the shared validation's, naming `body`).
      const notJson = await fetch(`${app?.url}/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-principal': 'alice', 'idempotency-key': 'key-4' },
        body: '{"cartId":',
      });
      expect(notJson.status).toBe(400);
      const anonymous = await fetch(`${app?.url}/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'key-3' },
        body: JSON.stringify(cart),
      });
      expect(anonymous.status).toBe(401);
      // Nothing was written for the refused requests: alice has one order, bob one.
      const rows = await db.withSchema(schema.name).selectFrom('orders').select(['principal']).execute();
      expect(rows.map((row) => row.principal).sort()).toEqual(['alice', 'bob']);
    });

    it('concurrent requests with one key make one order, and every one answers it', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => post('carol', 'key-race', cart)));
      const bodies = await Promise.all(answers.map((answer) => answer.json() as Promise<{ orderId: string }>));
      expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(201));
      expect(new Set(bodies.map((body) => body.orderId)).size).toBe(1);
      const rows = await db
        .withSchema(schema.name)
        .selectFrom('orders')
        .select('id')
        .where('principal', '=', 'carol')
        .execute();
      expect(rows).toHaveLength(1);
    });

    it("order lookup is scoped to the caller: another principal's order is a 404, like an unknown id", async () => {
      const created = (await (await post('dave', 'key-lookup', cart)).json()) as { orderId: string };
      const own = await getOrder('dave', created.orderId);
      expect(own.status).toBe(200);
      expect(await own.json()).toMatchObject({ orderId: created.orderId, amountMinor: 4_200, currency: 'EUR' });

      const other = await getOrder('mallory', created.orderId);
      expect(other.status).toBe(404);
      const unknown = await getOrder('dave', '00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(await other.json()).toEqual(await unknown.json());
      expect((await getOrder('dave', 'not-an-id')).status).toBe(404);
      expect((await getOrder(undefined, created.orderId)).status).toBe(401);
    });

    it('the relay publishes the outbox row and the consumer handles the command', async () => {
      const created = (await (await post('erin', 'key-flow', cart)).json()) as { orderId: string };
      const order = await eventually(
        async () => (await getOrder('erin', created.orderId)).json() as Promise<{ state: string }>,
        (value) => value.state === 'PAYMENT_AUTHORIZED',
        30_000,
      );
      expect(order.state).toBe('PAYMENT_AUTHORIZED');
    });

    it('shutdown stops the server, the consumer and the relay, leaving no live handle behind', async () => {
      const running = app;
      if (running === undefined) throw new Error('the app did not start');
      await running.close();
      app = undefined;
      await expect(fetch(`${running.url}/orders/x`)).rejects.toThrow();
      const leaked = await eventually(
        async () => leakedSince(baseline),
        (value) => Object.keys(value).length === 0,
        5_000,
      );
      expect(leaked).toEqual({});
    });

    it('a port already in use: start rejects with the listen error and leaves no live handle behind', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as AddressInfo;
      const before = liveHandles();
      try {
        const config = { postgresUrl: stack.postgres.url, schema: schema.name, sqs: stack.sqs.clientConfig, queueUrl };
        await expect(start(config, { port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      } finally {
        await new Promise<void>((resolve) => blocker.close(() => resolve()));
      }
      const leaked = await eventually(
        async () => leakedSince(before),
        (value) => Object.keys(value).length === 0,
        5_000,
      );
      expect(leaked).toEqual({});
    });
  });
}
