// The same handler in a real Middy chain, once with Powertools' makeHandlerIdempotent (2.35, its
// DynamoDB persistence layer) and once with createIdempotencyMiddleware (our DynamoDB store), both on
// DynamoDB Local: retries, in-progress duplicates, key reuse, a throwing handler, a missing key behave
// the same; the differences docs/migrating-from-powertools-idempotency.md lists are pinned at the end.
import { randomUUID } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  IdempotencyKeyError as PowertoolsKeyError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbIdempotencyStore } from '../dynamodb/dynamodb-store.js';
import { createIdempotencyTable } from '../dynamodb/table-definition.js';
import { httpApiEvent, lambdaContext } from '../test-support/api-gateway-events.js';
import { createIdempotencyMiddleware } from './index.js';

const stack = useCheckoutStack();

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;
type Handler = (event: Event, context: Context) => Promise<Result>;

const client = new DynamoDBClient(stack.dynamodb.clientConfig);
const oursTable = uniqueName('idem_parity');
const powertoolsTable = uniqueName('pt_parity');

beforeAll(async () => {
  await createIdempotencyTable(client, oursTable);
  await client.send(
    new CreateTableCommand({
      TableName: powertoolsTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: powertoolsTable });
});

afterAll(async () => {
  for (const TableName of [oursTable, powertoolsTable]) await client.send(new DeleteTableCommand({ TableName }));
  client.destroy();
});

/** The handler under test: places an order (a fresh id per run), may wait or fail once. */
function placeOrder(behaviour: { wait?: Promise<void>; failFirst?: boolean } = {}) {
  const runs = { count: 0 };
  let failed = false;
  const fn = async (event: Event): Promise<Result> => {
    runs.count += 1;
    if (behaviour.failFirst === true && !failed) {
      failed = true;
      throw new Error('payment provider timed out');
    }
    await behaviour.wait;
    return { statusCode: 201, body: JSON.stringify({ orderId: randomUUID(), cart: JSON.parse(event.body ?? 'null') }) };
  };
  return { fn, runs };
}

/** Powertools, configured as its docs say for an API: the key header, the body validated. */
const withPowertools = (fn: (event: Event) => Promise<Result>, options: { validatePayload?: boolean } = {}): Handler =>
  middy<Event, Result>()
    .use(
      makeHandlerIdempotent({
        persistenceStore: new DynamoDBPersistenceLayer({ tableName: powertoolsTable, awsSdkV3Client: client }),
        config: new IdempotencyConfig({
          eventKeyJmesPath: 'headers."idempotency-key"',
          ...(options.validatePayload === false ? {} : { payloadValidationJmesPath: 'powertools_json(body)' }),
          throwOnNoIdempotencyKey: true,
        }),
      }),
    )
    .handler(fn);

/** Ours, mapped option for option (errors thrown like Powertools': httpErrors false). */
const withOurs = (fn: (event: Event) => Promise<Result>, options: { httpErrors?: boolean } = {}): Handler =>
  middy<Event, Result>()
    .use(
      createIdempotencyMiddleware<Event, Result>({
        store: createDynamoDbIdempotencyStore({ client, tableName: oursTable }),
        httpErrors: options.httpErrors ?? false,
      }),
    )
    .handler(fn);

interface Flavour {
  readonly wrap: (fn: (event: Event) => Promise<Result>) => Handler;
  readonly inProgress: (error: unknown) => boolean;
  readonly keyReused: (error: unknown) => boolean;
  readonly missingKey: (error: unknown) => boolean;
}

const code = (error: unknown) => (error as { code?: unknown }).code;

/** An error and everything it wraps (`cause`, and Middy's `originalError` when an onError threw). */
function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const visit = (value: unknown) => {
    if (value === undefined || value === null || chain.includes(value)) return;
    chain.push(value);
    visit((value as { cause?: unknown }).cause);
    visit((value as { originalError?: unknown }).originalError);
  };
  visit(error);
  return chain;
}

const flavours: ReadonlyArray<readonly [string, Flavour]> = [
  [
    'Powertools makeHandlerIdempotent',
    {
      wrap: (fn) => withPowertools(fn),
      inProgress: (error) => error instanceof IdempotencyAlreadyInProgressError,
      keyReused: (error) => error instanceof IdempotencyValidationError,
      // Wrapped: 'Failed to save in progress record' (cause: the key error), then masked by its onError's
      // 'Failed to delete record' (Middy keeps the first as originalError). See the last test.
      missingKey: (error) => chainOf(error).some((link) => link instanceof PowertoolsKeyError),
    },
  ],
  [
    'createIdempotencyMiddleware',
    {
      wrap: (fn) => withOurs(fn),
      inProgress: (error) => code(error) === 'IDEMPOTENCY_IN_PROGRESS',
      keyReused: (error) => code(error) === 'IDEMPOTENCY_KEY_REUSED',
      missingKey: (error) => code(error) === 'IDEMPOTENCY_KEY_INVALID',
    },
  ],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe.each(flavours)('the same handler under %s', (_name, flavour) => {
  it('a retry gets the first response; the handler ran once', async () => {
    const { fn, runs } = placeOrder();
    const handler = flavour.wrap(fn);
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"A","qty":1}' });
    const first = await handler(event(), lambdaContext());
    const retry = await handler(event(), lambdaContext());
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(runs.count).toBe(1);
  });

  it('a concurrent duplicate is refused as in progress; once done, it replays', async () => {
    let open!: () => void;
    const { fn, runs } = placeOrder({ wait: new Promise<void>((resolve) => (open = resolve)) });
    const handler = flavour.wrap(fn);
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"B"}' });
    const first = handler(event(), lambdaContext());
    while (runs.count === 0) await sleep(10);
    const duplicate = await caught(handler(event(), lambdaContext()));
    expect(flavour.inProgress(duplicate)).toBe(true);
    open();
    const done = await first;
    expect((await handler(event(), lambdaContext())).body).toBe(done.body);
    expect(runs.count).toBe(1);
  });

  it('the key reused with another payload is refused; the handler does not run', async () => {
    const { fn, runs } = placeOrder();
    const handler = flavour.wrap(fn);
    const key = randomUUID();
    await handler(httpApiEvent({ key, sub: 'user-1', body: '{"sku":"C","qty":1}' }), lambdaContext());
    const reused = await caught(
      handler(httpApiEvent({ key, sub: 'user-1', body: '{"sku":"C","qty":2}' }), lambdaContext()),
    );
    expect(flavour.keyReused(reused)).toBe(true);
    expect(runs.count).toBe(1);
  });

  it('a handler that throws releases the key: the error reaches the caller and the retry runs', async () => {
    const { fn, runs } = placeOrder({ failFirst: true });
    const handler = flavour.wrap(fn);
    const key = randomUUID();
    const event = () => httpApiEvent({ key, sub: 'user-1', body: '{"sku":"D"}' });
    await expect(handler(event(), lambdaContext())).rejects.toThrow('payment provider timed out');
    expect((await handler(event(), lambdaContext())).statusCode).toBe(201);
    expect(runs.count).toBe(2);
  });

  it('a request without a key is refused (throwOnNoIdempotencyKey: true / missingKey: reject)', async () => {
    const { fn, runs } = placeOrder();
    const missing = await caught(flavour.wrap(fn)(httpApiEvent({ sub: 'user-1', body: '{}' }), lambdaContext()));
    expect(flavour.missingKey(missing)).toBe(true);
    expect(runs.count).toBe(0);
  });
});

describe('where the two intentionally differ (see the migration guide)', () => {
  it('HTTP events: ours answers 409 + Retry-After / 422 / 400 where Powertools throws (API Gateway then answers 500)', async () => {
    let open!: () => void;
    const { fn, runs } = placeOrder({ wait: new Promise<void>((resolve) => (open = resolve)) });
    const handler = withOurs(fn, { httpErrors: true });
    const key = randomUUID();
    const first = handler(httpApiEvent({ key, sub: 'user-1', body: '{}' }), lambdaContext());
    while (runs.count === 0) await sleep(10);
    const duplicate = await handler(httpApiEvent({ key, sub: 'user-1', body: '{}' }), lambdaContext());
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers?.['Retry-After']).toMatch(/^\d+$/);
    open();
    await first;
    expect((await handler(httpApiEvent({ key, sub: 'user-1', body: '{"other":1}' }), lambdaContext())).statusCode).toBe(
      422,
    );
    expect((await handler(httpApiEvent({ sub: 'user-1', body: '{}' }), lambdaContext())).statusCode).toBe(400);
  });

  it('without payloadValidationJmesPath Powertools replays the first order for another body; ours always compares the body', async () => {
    const powertools = placeOrder();
    const ours = placeOrder();
    const key = randomUUID();
    const pt = withPowertools(powertools.fn, { validatePayload: false });
    const first = await pt(httpApiEvent({ key, sub: 'user-1', body: '{"qty":1}' }), lambdaContext());
    const other = await pt(httpApiEvent({ key, sub: 'user-1', body: '{"qty":2}' }), lambdaContext());
    expect(other.body).toBe(first.body);
    expect(powertools.runs.count).toBe(1);
    const handler = withOurs(ours.fn);
    await handler(httpApiEvent({ key, sub: 'user-1', body: '{"qty":1}' }), lambdaContext());
    expect(code(await caught(handler(httpApiEvent({ key, sub: 'user-1', body: '{"qty":2}' }), lambdaContext())))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it("the same key from two callers: Powertools replays caller A's order to caller B; ours scopes keys to the caller", async () => {
    const powertools = placeOrder();
    const ours = placeOrder();
    const key = randomUUID();
    const body = '{"sku":"E"}';
    const pt = withPowertools(powertools.fn);
    const a = await pt(httpApiEvent({ key, sub: 'user-a', body }), lambdaContext());
    const b = await pt(httpApiEvent({ key, sub: 'user-b', body }), lambdaContext());
    expect(b.body).toBe(a.body);
    expect(powertools.runs.count).toBe(1);
    const handler = withOurs(ours.fn);
    const oursA = await handler(httpApiEvent({ key, sub: 'user-a', body }), lambdaContext());
    const oursB = await handler(httpApiEvent({ key, sub: 'user-b', body }), lambdaContext());
    expect(oursB.body).not.toBe(oursA.body);
    expect(ours.runs.count).toBe(2);
  });

  it("a missing key: Powertools' Middy middleware throws a persistence-layer error wrapping its key error; ours a 400 IdempotencyKeyError naming the key", async () => {
    const powertools = placeOrder();
    const thrown = await caught(
      withPowertools(powertools.fn)(httpApiEvent({ sub: 'user-1', body: '{}' }), lambdaContext()),
    );
    expect(thrown).toMatchObject({
      name: 'IdempotencyPersistenceLayerError',
      message: 'Failed to delete record from idempotency store',
    });
    const ours = placeOrder();
    const answer = await withOurs(ours.fn, { httpErrors: true })(
      httpApiEvent({ sub: 'user-1', body: '{}' }),
      lambdaContext(),
    );
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(String(answer.body))).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_INVALID', field: 'key' } });
  });

  it('a replay is marked Idempotent-Replayed: true by ours (Powertools returns the stored response unchanged)', async () => {
    const { fn } = placeOrder();
    const handler = withOurs(fn, { httpErrors: true });
    const key = randomUUID();
    await handler(httpApiEvent({ key, sub: 'user-1', body: '{}' }), lambdaContext());
    const replay = await handler(httpApiEvent({ key, sub: 'user-1', body: '{}' }), lambdaContext());
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });
});
