import { randomUUID } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createCartSnapshotStore } from '@checkout/inventory';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TABLES } from '../db/migrations.js';
import { type ApiGatewayProxyEventLike, createApiHandler } from '../lambda/api-handler.js';
import { type CheckoutEnvironment, createCheckoutEnvironment } from '../local/checkout-environment.js';
import { checkout } from './checkout.js';
import { getOrder } from './get-order.js';

// The HTTP boundary of the example against the real stack (Postgres, DynamoDB Local, SQS emulator):
// who may read what, who may write at all, and what a client mistake writes (nothing).

const stack = useCheckoutStack();
let env: CheckoutEnvironment;
let api: ReturnType<typeof createApiHandler>;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  env = await createCheckoutEnvironment(stack, { seed: 5, initialStock: { mug: 100, tee: 100 } });
  api = createApiHandler(env.deps);
  dynamodb = new DynamoDBClient(stack.dynamodb.clientConfig);
});
afterAll(async () => {
  dynamodb?.destroy();
  await env?.close();
});

function cart(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: 'customer-1',
    currency: 'EUR',
    lines: [{ sku: 'mug', quantity: 1 }],
    paymentToken: 'tok_visa',
    ...overrides,
  };
}

function post(key: string | undefined, body: unknown, principal?: string): ApiGatewayProxyEventLike {
  return {
    httpMethod: 'POST',
    path: '/checkout',
    headers: key === undefined ? {} : { 'Idempotency-Key': key },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(principal === undefined ? {} : { requestContext: { authorizer: { principalId: principal } } }),
  };
}

function get(path: string, principal?: string): ApiGatewayProxyEventLike {
  return {
    httpMethod: 'GET',
    path,
    headers: {},
    body: null,
    ...(principal === undefined ? {} : { requestContext: { authorizer: { principalId: principal } } }),
  };
}

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
    readonly moreIssues?: number;
  };
}

/** Every row and item a checkout writes: orders, audit rows, idempotency records, outbox rows, cart snapshots. */
async function written(): Promise<Record<string, number>> {
  const schema = env.processConfig.schema;
  const count = async (table: string) =>
    Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(`${schema}.${table}`)}`.execute(env.db)).rows[0]
        ?.n,
    );
  return {
    orders: await count(TABLES.orders),
    paymentIntents: await count('payment_intents'),
    audit: await count(TABLES.audit),
    idempotency: await count(TABLES.idempotency),
    outbox: await count(TABLES.outbox),
    snapshots: (await cartSnapshots()).length,
  };
}

/** Every cart snapshot in the inventory table, whatever its key. */
async function cartSnapshots(): Promise<Array<{ pk: string; sk: string; cart: unknown }>> {
  const items: Array<{ pk: string; sk: string; cart: unknown }> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: env.processConfig.inventoryTable,
        FilterExpression: '#kind = :cart',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':cart': { S: 'cart' } },
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      items.push({ pk: item.pk?.S ?? '', sk: item.sk?.S ?? '', cart: JSON.parse(item.cart?.S ?? 'null') });
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

describe('GET /orders/{id} is scoped to the caller', () => {
  it('answers 404, with the body of a missing order, to another principal (in-process and Lambda)', async () => {
    const created = await api(post(randomUUID(), cart(), 'shop-a'));
    expect(created.statusCode).toBe(201);
    const { orderId } = JSON.parse(created.body) as { orderId: string };

    const mine = await api(get(`/orders/${orderId}`, 'shop-a'));
    expect(mine.statusCode).toBe(200);
    expect(JSON.parse(mine.body)).toMatchObject({ orderId, customerId: 'customer-1', state: 'PENDING_PAYMENT' });

    const theirs = await api(get(`/orders/${orderId}`, 'shop-b'));
    const missing = await api(get(`/orders/${randomUUID()}`, 'shop-b'));
    expect(theirs.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(theirs.body).toBe(missing.body);
    expect(theirs.body).not.toContain(orderId);

    expect((await getOrder(env.deps, { principal: 'shop-a', orderId })).status).toBe(200);
    const inProcess = await getOrder(env.deps, { principal: 'shop-b', orderId });
    expect(inProcess.status).toBe(404);
    expect(JSON.stringify(inProcess.body)).toBe(missing.body);
  });

  it('answers 401 to a caller without an authorizer, never the order', async () => {
    const created = await api(post(randomUUID(), cart(), 'shop-a'));
    const { orderId } = JSON.parse(created.body) as { orderId: string };
    const anonymous = await api(get(`/orders/${orderId}`));
    expect(anonymous.statusCode).toBe(401);
    expect((JSON.parse(anonymous.body) as ErrorBody).error.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body).not.toContain('customer-1');
    expect((await getOrder(env.deps, { principal: undefined, orderId })).status).toBe(401);
  });
});

describe('a request without an authenticated principal is refused (401)', () => {
  it('writes nothing and never shares one scope between unauthenticated callers (Lambda and in-process)', async () => {
    const before = await written();
    const key = randomUUID();
    const first = await api(post(key, cart({ customerId: 'buyer-x' })));
    const second = await api(post(key, cart({ customerId: 'buyer-x' })));
    const emptyPrincipal = await api({ ...post(key, cart()), requestContext: { authorizer: { principalId: '' } } });
    const noAuthorizer = await api({ ...post(key, cart()), requestContext: { authorizer: null } });
    for (const response of [first, second, emptyPrincipal, noAuthorizer]) {
      expect(response.statusCode).toBe(401);
      expect((JSON.parse(response.body) as ErrorBody).error.code).toBe('UNAUTHENTICATED');
    }
    const inProcess = await checkout(env.deps, { idempotencyKey: key, principal: undefined, body: cart() });
    expect(inProcess.status).toBe(401);
    const blank = await checkout(env.deps, { idempotencyKey: key, principal: '', body: cart() });
    expect(blank.status).toBe(401);
    expect(await written()).toEqual(before);
  });
});

describe('client mistakes are a typed 400 naming the field, and write nothing', () => {
  const cases: ReadonlyArray<{ name: string; event: () => ApiGatewayProxyEventLike; field: string }> = [
    { name: 'key with NUL', event: () => post('key\u0000nul', cart(), 'shop-a'), field: 'Idempotency-Key' },
    { name: 'key with TAB', event: () => post('key\ttab', cart(), 'shop-a'), field: 'Idempotency-Key' },
    {
      name: 'key with an unpaired surrogate',
      event: () => post('key\ud800', cart(), 'shop-a'),
      field: 'Idempotency-Key',
    },
    {
      name: 'key of 258 bytes (86 chars)',
      event: () => post('€'.repeat(86), cart(), 'shop-a'),
      field: 'Idempotency-Key',
    },
    { name: 'key of 256 ASCII bytes', event: () => post('k'.repeat(256), cart(), 'shop-a'), field: 'Idempotency-Key' },
    { name: 'empty key', event: () => post('', cart(), 'shop-a'), field: 'Idempotency-Key' },
    {
      name: 'customer id with a control character',
      event: () => post(randomUUID(), cart({ customerId: 'cust\u0001omer' }), 'shop-a'),
      field: 'customerId',
    },
    {
      name: 'customer id with an unpaired surrogate',
      event: () => post(randomUUID(), cart({ customerId: 'cust\udc00' }), 'shop-a'),
      field: 'customerId',
    },
    {
      name: 'customer id with U+FFFF (SQS refuses it)',
      event: () => post(randomUUID(), cart({ customerId: 'cust\uffff' }), 'shop-a'),
      field: 'customerId',
    },
    {
      name: 'customer id over 128 bytes',
      event: () => post(randomUUID(), cart({ customerId: 'é'.repeat(65) }), 'shop-a'),
      field: 'customerId',
    },
    {
      name: 'payment token with NUL',
      event: () => post(randomUUID(), cart({ paymentToken: 'tok\u0000' }), 'shop-a'),
      field: 'paymentToken',
    },
    {
      name: 'promo code with NUL',
      event: () => post(randomUUID(), cart({ promoCode: 'TEN\u0000' }), 'shop-a'),
      field: 'promoCode',
    },
    { name: 'bad percent-encoding in the order id', event: () => get('/orders/%E0%A4%A', 'shop-a'), field: 'orderId' },
    { name: 'NUL in the order id', event: () => get('/orders/%00', 'shop-a'), field: 'orderId' },
    { name: 'unpaired surrogate in the order id', event: () => get('/orders/%ED%A0%80', 'shop-a'), field: 'orderId' },
  ];

  it.each(cases)('$name -> 400 naming $field (Lambda)', async ({ event, field }) => {
    const before = await written();
    const response = await api(event());
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body) as ErrorBody;
    expect(['INVALID_REQUEST', 'INVALID_CART']).toContain(body.error.code);
    expect(body.error.issues?.map((issue) => issue.path)).toContain(field);
    expect(await written()).toEqual(before);
  });

  it('the in-process API applies the same rules', async () => {
    const before = await written();
    const bad = [
      await checkout(env.deps, { idempotencyKey: 'a\u0000b', principal: 'shop-a', body: cart() }),
      await checkout(env.deps, { idempotencyKey: 'a\ud800', principal: 'shop-a', body: cart() }),
      await checkout(env.deps, {
        idempotencyKey: randomUUID(),
        principal: 'shop-a',
        body: cart({ paymentToken: '\u0000' }),
      }),
      await getOrder(env.deps, { principal: 'shop-a', orderId: 'a\u0000b' }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    expect(await written()).toEqual(before);
  });

  it('a principal the authorizer made ill-formed is refused (401), not a 500', async () => {
    const before = await written();
    const response = await api(post(randomUUID(), cart(), 'shop\u0000a'));
    expect(response.statusCode).toBe(401);
    expect(await written()).toEqual(before);
  });
});

describe('cart snapshots: only the accepted attempt, scoped to the caller', () => {
  it('a key reused with another body (422) leaves the accepted cart', async () => {
    const key = randomUUID();
    const accepted = cart({ customerId: 'snap-1', lines: [{ sku: 'mug', quantity: 2 }] });
    expect((await api(post(key, accepted, 'shop-a'))).statusCode).toBe(201);
    const before = await cartSnapshots();
    const rejected = await api(
      post(key, cart({ customerId: 'snap-1', lines: [{ sku: 'tee', quantity: 9 }] }), 'shop-a'),
    );
    expect(rejected.statusCode).toBe(422);
    expect(await cartSnapshots()).toEqual(before);
    expect(before.filter((s) => JSON.stringify(s.cart).includes('snap-1')).map((s) => s.cart)).toEqual([accepted]);
    // A replay (same body) answers 201 again and leaves the snapshot as it was.
    expect((await api(post(key, accepted, 'shop-a'))).statusCode).toBe(201);
    expect((await cartSnapshots()).filter((s) => JSON.stringify(s.cart).includes('snap-1'))).toHaveLength(1);
  });

  it('two tenants with the same customer id and key keep their own snapshots', async () => {
    const key = randomUUID();
    const a = cart({ customerId: 'snap-2', lines: [{ sku: 'mug', quantity: 1 }] });
    const b = cart({ customerId: 'snap-2', lines: [{ sku: 'tee', quantity: 3 }] });
    expect((await api(post(key, a, 'tenant-a'))).statusCode).toBe(201);
    expect((await api(post(key, b, 'tenant-b'))).statusCode).toBe(201);
    const mine = (await cartSnapshots()).filter((s) => JSON.stringify(s.cart).includes('snap-2'));
    expect(mine.map((s) => s.cart)).toHaveLength(2);
    expect(mine.map((s) => s.cart)).toEqual(expect.arrayContaining([a, b]));
  });

  it('a snapshot that cannot be saved leaves the accepted order a 201 (logged by order id)', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const deps = { ...env.deps, carts: createCartSnapshotStore({ client: dynamodb, tableName: 'no-such-table' }) };
      const response = await checkout(deps, { idempotencyKey: randomUUID(), principal: 'shop-a', body: cart() });
      expect(response.status).toBe(201);
      const { orderId } = response.body as { orderId: string };
      expect((await getOrder(env.deps, { principal: 'shop-a', orderId })).status).toBe(200);
      expect(logged).toHaveBeenCalledWith('checkout: cart snapshot not saved', orderId, expect.any(String));
    } finally {
      logged.mockRestore();
    }
  });

  it('a rejected cart (400) or an unknown SKU (422) saves no snapshot', async () => {
    const before = await written();
    expect((await api(post(randomUUID(), cart({ lines: [{ sku: 'mug', quantity: 0 }] }), 'shop-a'))).statusCode).toBe(
      400,
    );
    expect((await api(post(randomUUID(), cart({ lines: [{ sku: 'nope', quantity: 1 }] }), 'shop-a'))).statusCode).toBe(
      422,
    );
    expect(await written()).toEqual(before);
  });
});

describe('error bodies echo a bounded amount', () => {
  it('a 5 MB unknown field name comes back truncated, far under the Lambda response limit', async () => {
    const name = 'x'.repeat(5 * 1024 * 1024);
    const response = await api(post(randomUUID(), { ...cart(), [name]: 1 }, 'shop-a'));
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(4_096);
    const body = JSON.parse(response.body) as ErrorBody;
    expect(body.error.code).toBe('INVALID_CART');
    expect(JSON.stringify(body.error.issues)).toContain('…');
  });

  it('thousands of bad fields list a capped number of issues and say how many were left out', async () => {
    const extra = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`field-${i}-${'y'.repeat(100)}`, i]));
    const response = await api(post(randomUUID(), { ...cart(), ...extra }, 'shop-a'));
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(4_096);
    const body = JSON.parse(response.body) as ErrorBody;
    expect(body.error.issues?.length).toBeLessThanOrEqual(10);
    expect(body.error.moreIssues).toBe(5_000 - (body.error.issues?.length ?? 0));
  });

  it('an unknown route with a huge path answers a bounded 404', async () => {
    const response = await api(get(`/${'p'.repeat(1024 * 1024)}`, 'shop-a'));
    expect(response.statusCode).toBe(404);
    expect(response.body.length).toBeLessThan(1_024);
  });

  it('a huge order id answers a bounded 400', async () => {
    const response = await api(get(`/orders/${'o'.repeat(1024 * 1024)}`, 'shop-a'));
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(1_024);
  });
});

describe('HTTP API payload format 2.0 (what the CDK app wires) gets the same rules', () => {
  function v2(
    method: string,
    rawPath: string,
    authorizer: Record<string, unknown> | undefined,
    init: { key?: string; body?: unknown } = {},
  ): ApiGatewayProxyEventLike {
    return {
      version: '2.0',
      rawPath,
      headers: init.key === undefined ? {} : { 'idempotency-key': init.key },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      isBase64Encoded: false,
      requestContext: { http: { method }, ...(authorizer === undefined ? {} : { authorizer }) },
    };
  }
  const jwt = (sub: string) => ({ jwt: { claims: { sub }, scopes: null } });

  it('routes, takes the principal from a JWT or Lambda authorizer, scopes reads, refuses without one', async () => {
    const created = await api(v2('POST', '/checkout', jwt('v2-shop-a'), { key: randomUUID(), body: cart() }));
    expect(created.statusCode).toBe(201);
    const { orderId } = JSON.parse(created.body) as { orderId: string };
    expect((await api(v2('GET', `/orders/${orderId}`, jwt('v2-shop-a')))).statusCode).toBe(200);
    expect((await api(v2('GET', `/orders/${orderId}`, { lambda: { principalId: 'v2-shop-a' } }))).statusCode).toBe(200);
    expect((await api(v2('GET', `/orders/${orderId}`, jwt('v2-shop-b')))).statusCode).toBe(404);
    expect((await api(v2('GET', `/orders/${orderId}`, undefined))).statusCode).toBe(401);
    const before = await written();
    expect((await api(v2('POST', '/checkout', undefined, { key: randomUUID(), body: cart() }))).statusCode).toBe(401);
    expect((await api(v2('POST', '/checkout', jwt('v2-shop-a'), { key: 'a\u0000b', body: cart() }))).statusCode).toBe(
      400,
    );
    expect((await api(v2('GET', '/orders/%E0%A4%A', jwt('v2-shop-a')))).statusCode).toBe(400);
    expect(await written()).toEqual(before);
  });

  it('an event with neither shape answers a 404, not a crash', async () => {
    const response = await api({ headers: null, body: null });
    expect(response.statusCode).toBe(404);
  });
});

describe('adversarial principals, headers and events (verification pass)', () => {
  const jwt = (sub: unknown) => ({ jwt: { claims: { sub }, scopes: null } });
  function event(authorizer: unknown, init: { headers?: Record<string, unknown>; body?: string; v2?: boolean } = {}) {
    const base = {
      headers: init.headers ?? { 'Idempotency-Key': randomUUID() },
      body: init.body ?? JSON.stringify(cart()),
    };
    // Deliberately not an ApiGatewayProxyEventLike (headers of any type, an authorizer of any
    // shape): the handler takes `unknown` and checks every field itself.
    return init.v2 === true
      ? { ...base, version: '2.0', rawPath: '/checkout', requestContext: { http: { method: 'POST' }, authorizer } }
      : {
          ...base,
          httpMethod: 'POST',
          path: '/checkout',
          requestContext: { authorizer },
        };
  }

  it('a blank principal (spaces only) is no identity: 401, nothing written (Lambda 1.0, 2.0, in-process)', async () => {
    const before = await written();
    const key = randomUUID();
    for (const blank of [' ', '   ', '\u00a0', '\u3000']) {
      expect((await api(event({ principalId: blank }, { headers: { 'Idempotency-Key': key } }))).statusCode).toBe(401);
      expect((await api(event(jwt(blank), { headers: { 'idempotency-key': key }, v2: true }))).statusCode).toBe(401);
      expect((await checkout(env.deps, { idempotencyKey: key, principal: blank, body: cart() })).status).toBe(401);
      expect((await getOrder(env.deps, { principal: blank, orderId: randomUUID() })).status).toBe(401);
    }
    expect(await written()).toEqual(before);
  });

  it('a claim of the wrong type is 401 and never falls through to another claim', async () => {
    const before = await written();
    for (const bad of [42, { sub: 'x' }, ['x'], true]) {
      const mixed = { principalId: bad, lambda: { principalId: 'shop-a' } };
      expect((await api(event(mixed))).statusCode).toBe(401);
      expect((await api(event(jwt(bad), { v2: true }))).statusCode).toBe(401);
    }
    expect(await written()).toEqual(before);
  });

  it('without a principal the answer is 401 even when the body is not JSON or the key is missing', async () => {
    const before = await written();
    for (const response of [
      await api(event(undefined, { body: 'not json' })),
      await api(event(null, { body: '' })),
      await api(event(undefined, { headers: {} })),
      await api(event(jwt(undefined), { body: '{', v2: true })),
    ]) {
      expect(response.statusCode).toBe(401);
      expect((JSON.parse(response.body) as ErrorBody).error.code).toBe('UNAUTHENTICATED');
    }
    expect(await written()).toEqual(before);
  });

  it('the in-process API answers 401/400, not a TypeError, for values of the wrong type', async () => {
    const before = await written();
    const wrong = (value: unknown) => value as string;
    expect(
      (await checkout(env.deps, { idempotencyKey: randomUUID(), principal: wrong(42), body: cart() })).status,
    ).toBe(401);
    expect(
      (await checkout(env.deps, { idempotencyKey: randomUUID(), principal: wrong({}), body: cart() })).status,
    ).toBe(401);
    const badKey = await checkout(env.deps, { idempotencyKey: wrong(42), principal: 'shop-a', body: cart() });
    expect(badKey.status).toBe(400);
    expect(JSON.stringify(badKey.body)).toContain('Idempotency-Key');
    expect((await getOrder(env.deps, { principal: wrong(['a']), orderId: randomUUID() })).status).toBe(401);
    const badId = await getOrder(env.deps, { principal: 'shop-a', orderId: wrong(42) });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body)).toContain('orderId');
    expect(await written()).toEqual(before);
  });

  it('Idempotency-Key given twice in different case with different values is a 400, not a silent pick', async () => {
    const before = await written();
    const response = await api(
      event({ principalId: 'shop-a' }, { headers: { 'idempotency-key': 'dup-1', 'IDEMPOTENCY-KEY': 'dup-2' } }),
    );
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body) as ErrorBody;
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.issues?.map((issue) => issue.path)).toEqual(['Idempotency-Key']);
    expect(await written()).toEqual(before);
    const same = await api(
      event({ principalId: 'shop-a' }, { headers: { 'idempotency-key': 'same-1', 'Idempotency-Key': 'same-1' } }),
    );
    expect(same.statusCode).toBe(201);
  });

  it('a principal of exactly 200 bytes (the documented limit) checks out and reads its order', async () => {
    for (const principal of ['p'.repeat(200), `${'p'.repeat(198)}é`, `${'p'.repeat(196)}😀`]) {
      const created = await api(event({ principalId: principal }));
      expect(created.statusCode).toBe(201);
      const { orderId } = JSON.parse(created.body) as { orderId: string };
      const read = await getOrder(env.deps, { principal, orderId });
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).toContain('PENDING_PAYMENT');
    }
  });

  it('an event that is not an object answers a 404, not a crash', async () => {
    for (const bad of [null, undefined, 'GET /orders/x', 42]) {
      const response = await api(bad);
      expect(response.statusCode).toBe(404);
    }
  });
});
