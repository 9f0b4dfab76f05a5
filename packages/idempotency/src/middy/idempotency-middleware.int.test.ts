// A real Middy chain (`middy().use(...).handler(...)`) over the memory store and the DynamoDB store
// on DynamoDB Local: retries, in-progress duplicates, key reuse, bad keys, handler errors, deadlines.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbIdempotencyStore } from '../dynamodb/dynamodb-store.js';
import { createIdempotencyTable } from '../dynamodb/table-definition.js';
import { createMemoryIdempotencyStore, type IdempotencyStore } from '../index.js';
import { httpApiEvent, lambdaContext } from '../test-support/api-gateway-events.js';
import { createIdempotencyMiddleware, type IdempotencyMiddlewareOptions } from './index.js';

const stack = useCheckoutStack();

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;

interface StoreUnderTest {
  readonly store: IdempotencyStore;
  readonly count: () => Promise<number>;
  readonly teardown: () => Promise<void>;
}

const stores: ReadonlyArray<readonly [string, () => Promise<StoreUnderTest>]> = [
  [
    'memory store',
    async () => {
      const store = createMemoryIdempotencyStore();
      return { store, count: async () => store.size, teardown: async () => {} };
    },
  ],
  [
    'DynamoDB store (DynamoDB Local)',
    async () => {
      const client = new DynamoDBClient(stack.dynamodb.clientConfig);
      const tableName = uniqueName('idem_middy');
      await createIdempotencyTable(client, tableName);
      return {
        store: createDynamoDbIdempotencyStore({ client, tableName }),
        count: async () => (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? -1,
        teardown: async () => {
          await client.send(new DeleteTableCommand({ TableName: tableName }));
          client.destroy();
        },
      };
    },
  ],
];

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(stores)('createIdempotencyMiddleware in a Middy chain, %s', (_name, make) => {
  let under: StoreUnderTest;
  beforeAll(async () => {
    under = await make();
  });
  afterAll(async () => {
    await under.teardown();
  });

  /** A checkout handler: counts its runs, may wait on a gate or throw once. */
  function checkout(
    options: Partial<IdempotencyMiddlewareOptions<Event, Result>> = {},
    behaviour: { wait?: Promise<void>; failFirst?: boolean; plugin?: { timeoutEarlyInMillis: number } } = {},
  ) {
    const runs = { count: 0 };
    let failed = false;
    const handler = middy<Event, Result>(behaviour.plugin ?? {})
      .use(createIdempotencyMiddleware<Event, Result>({ store: under.store, ...options }))
      .handler(async (event) => {
        runs.count += 1;
        if (behaviour.failFirst === true && !failed) {
          failed = true;
          throw new Error('payment provider timed out');
        }
        await behaviour.wait;
        return {
          statusCode: 201,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orderId: randomUUID(), cart: JSON.parse(event.body ?? 'null') as unknown }),
        };
      });
    return { handler, runs };
  }

  const call = (
    handler: (event: Event, context: Context) => Promise<Result>,
    event: Event,
    context = lambdaContext(),
  ) => handler(event, context);

  it('replays the stored response on a retry: the handler ran once, the replay is marked', async () => {
    const { handler, runs } = checkout();
    const key = randomUUID();
    const first = await call(handler, httpApiEvent({ key, sub: 'user-1', body: '{"sku":"A","qty":1}' }));
    // Same content, other key order and whitespace: the same request.
    const retry = await call(handler, httpApiEvent({ key, sub: 'user-1', body: '{ "qty": 1, "sku": "A" }' }));
    expect(first.statusCode).toBe(201);
    expect(first.headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(retry.headers).toEqual({ 'content-type': 'application/json', 'Idempotent-Replayed': 'true' });
    expect(runs.count).toBe(1);
  });

  it('keeps callers apart: the same key from another principal or route runs again', async () => {
    const { handler, runs } = checkout();
    const key = randomUUID();
    const body = '{"sku":"A"}';
    const a = await call(handler, httpApiEvent({ key, sub: 'user-a', body }));
    const b = await call(handler, httpApiEvent({ key, sub: 'user-b', body }));
    const c = await call(handler, httpApiEvent({ key, sub: 'user-a', body, route: 'POST /refund' }));
    expect(new Set([a.body, b.body, c.body]).size).toBe(3);
    expect(runs.count).toBe(3);
  });

  it('answers a concurrent duplicate 409 with Retry-After (the lease left), then replays once done', async () => {
    const { open, opened } = gate();
    const { handler, runs } = checkout({}, { wait: opened });
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"B"}' });
    const first = call(handler, event(), lambdaContext(20_000));
    await sleep(50);
    while (runs.count === 0) await sleep(10);
    const duplicate = await call(handler, event());
    expect(duplicate.statusCode).toBe(409);
    const retryAfter = Number(duplicate.headers?.['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(JSON.parse(String(duplicate.body))).toMatchObject({ error: { code: 'IDEMPOTENCY_IN_PROGRESS' } });
    open();
    const done = await first;
    const replay = await call(handler, event());
    expect(replay.body).toBe(done.body);
    expect(runs.count).toBe(1);
  });

  it('answers a reused key with another body 422 and does not run the handler', async () => {
    const { handler, runs } = checkout();
    const key = randomUUID();
    await call(handler, httpApiEvent({ key, sub: 'user-1', body: '{"sku":"C","qty":1}' }));
    const reused = await call(handler, httpApiEvent({ key, sub: 'user-1', body: '{"sku":"C","qty":2}' }));
    expect(reused.statusCode).toBe(422);
    expect(JSON.parse(String(reused.body))).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(runs.count).toBe(1);
  });

  it('answers a missing or malformed key (or a missing principal) 400 naming the field, writing nothing', async () => {
    const { handler, runs } = checkout();
    const before = await under.count();
    const cases: ReadonlyArray<readonly [Event, string]> = [
      [httpApiEvent({ sub: 'user-1', body: '{}' }), 'key'],
      [httpApiEvent({ key: '', sub: 'user-1', body: '{}' }), 'key'],
      [httpApiEvent({ key: 'a\u0000b', sub: 'user-1', body: '{}' }), 'key'],
      [httpApiEvent({ key: 'x'.repeat(256), sub: 'user-1', body: '{}' }), 'key'],
      [httpApiEvent({ key: 'tenant\uD800', sub: 'user-1', body: '{}' }), 'key'],
      [httpApiEvent({ key: randomUUID(), body: '{}' }), 'scope'],
    ];
    for (const [event, field] of cases) {
      const answer = await call(handler, event);
      expect(answer.statusCode).toBe(400);
      expect(JSON.parse(String(answer.body))).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_INVALID', field } });
      expect(String(answer.body)).not.toContain('\uD800');
    }
    expect(runs.count).toBe(0);
    expect(await under.count()).toBe(before);
  });

  it("runs without idempotency when missingKey is 'run' and the request has no key", async () => {
    const { handler, runs } = checkout({ missingKey: 'run' });
    const before = await under.count();
    await call(handler, httpApiEvent({ sub: 'user-1', body: '{}' }));
    await call(handler, httpApiEvent({ sub: 'user-1', body: '{}' }));
    expect(runs.count).toBe(2);
    expect(await under.count()).toBe(before);
  });

  it('releases the key when the handler throws: the error reaches the caller, the retry runs again', async () => {
    const { handler, runs } = checkout({}, { failFirst: true });
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"D"}' });
    await expect(call(handler, event())).rejects.toThrow('payment provider timed out');
    const retry = await call(handler, event());
    expect(retry.statusCode).toBe(201);
    expect(runs.count).toBe(2);
    const replay = await call(handler, event());
    expect(replay.body).toBe(retry.body);
    expect(runs.count).toBe(2);
  });

  it('remembers a business error with rememberErrors and throws it again on the replay', async () => {
    const { handler, runs } = checkout({ rememberErrors: (error) => error instanceof Error }, { failFirst: true });
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"E"}' });
    await expect(call(handler, event())).rejects.toThrow('payment provider timed out');
    await expect(call(handler, event())).rejects.toThrow('payment provider timed out');
    expect(runs.count).toBe(1);
  });

  it('binds the lease to the Lambda deadline: a hung attempt frees the key when its invocation would end', async () => {
    const never = new Promise<void>(() => {});
    // Middy's own early timeout off: the invocation is killed hard (no onError runs, nothing is released).
    const hung = checkout({}, { wait: never, plugin: { timeoutEarlyInMillis: 0 } });
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"F"}' });
    // 1.2 s left in the first invocation: the lease is 1.2 s, not the 60 s default.
    void call(hung.handler, event(), lambdaContext(1_200));
    while (hung.runs.count === 0) await sleep(10);
    const duplicate = await call(hung.handler, event());
    expect(duplicate.statusCode).toBe(409);
    expect(Number(duplicate.headers?.['Retry-After'])).toBeLessThanOrEqual(2);
    await sleep(1_400);
    // The first invocation would have timed out by now: a retry (a fresh instance) takes the key over.
    const { handler, runs } = checkout();
    const retry = await call(handler, event());
    expect(retry.statusCode).toBe(201);
    expect(runs.count).toBe(1);
  });

  it("releases the key when Middy's early timeout aborts the handler near the deadline", async () => {
    const never = new Promise<void>(() => {});
    const timingOut = checkout({}, { wait: never, plugin: { timeoutEarlyInMillis: 1_000 } });
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"G"}' });
    await expect(call(timingOut.handler, event(), lambdaContext(1_300))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const { handler, runs } = checkout();
    const retry = await call(handler, event());
    expect(retry.statusCode).toBe(201);
    expect(runs.count).toBe(1);
  });

  it('lets outer middlewares see our answers: a 409 passes through their onError', async () => {
    const { open, opened } = gate();
    const key = randomUUID();
    let runs = 0;
    const cors = {
      after: (request: { response: Result | null | undefined }) => {
        if (request.response)
          request.response.headers = { ...request.response.headers, 'Access-Control-Allow-Origin': '*' };
      },
      onError: (request: { response: Result | null | undefined }) => {
        if (request.response)
          request.response.headers = { ...request.response.headers, 'Access-Control-Allow-Origin': '*' };
      },
    };
    const handler = middy<Event, Result>()
      .use(cors)
      .use(createIdempotencyMiddleware<Event, Result>({ store: under.store }))
      .handler(async () => {
        runs += 1;
        await opened;
        return { statusCode: 201, body: '{}' };
      });
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"H"}' });
    const first = call(handler, event());
    while (runs === 0) await sleep(10);
    const duplicate = await call(handler, event());
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers?.['Access-Control-Allow-Origin']).toBe('*');
    open();
    expect((await first).headers?.['Access-Control-Allow-Origin']).toBe('*');
  });
});

describe('createIdempotencyMiddleware for other events', () => {
  it('throws our errors (no HTTP mapping) and replays plain results for a non-HTTP event', async () => {
    const store = createMemoryIdempotencyStore();
    let runs = 0;
    const handler = middy<{ orderId: string; amountMinor: number }, { chargeId: string }>()
      .use(
        createIdempotencyMiddleware<{ orderId: string; amountMinor: number }, { chargeId: string }>({
          store,
          scope: 'charges',
          key: (event) => event.orderId,
          fingerprint: (event) => event.amountMinor,
        }),
      )
      .handler(async (event) => {
        runs += 1;
        return { chargeId: `ch-${event.orderId}` };
      });
    const context = lambdaContext();
    expect(await handler({ orderId: 'o-1', amountMinor: 100 }, context)).toEqual({ chargeId: 'ch-o-1' });
    expect(await handler({ orderId: 'o-1', amountMinor: 100 }, context)).toEqual({ chargeId: 'ch-o-1' });
    await expect(handler({ orderId: 'o-1', amountMinor: 200 }, context)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      httpStatus: 422,
    });
    expect(runs).toBe(1);
  });

  it('refuses bad options naming them', () => {
    const store = createMemoryIdempotencyStore();
    const bad: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ store: {} }, 'store'],
      [{ store, scope: 3 }, 'scope'],
      [{ store, key: 'Idempotency-Key' }, 'key'],
      [{ store, fingerprint: {} }, 'fingerprint'],
      [{ store, missingKey: 'skip' }, 'missingKey'],
      [{ store, httpErrors: 'yes' }, 'httpErrors'],
      [{ store, inProgressLeaseMs: 0 }, 'inProgressLeaseMs'],
      [{ store, ttlSeconds: 1.5 }, 'ttlSeconds'],
    ];
    for (const [options, field] of bad) {
      expect(() => createIdempotencyMiddleware(options as unknown as IdempotencyMiddlewareOptions)).toThrow(
        expect.objectContaining({ code: 'IDEMPOTENCY_INVALID_CONFIG', field }),
      );
    }
  });
});
