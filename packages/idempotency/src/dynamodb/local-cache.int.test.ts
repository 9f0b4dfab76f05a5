// The opt-in cache of completed records: replays without a DynamoDB call, and exactly the answers
// the table would give (expiry, fingerprint, in-progress, bounds). The whole store contract runs on
// a cached store too.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyConfigError,
  IdempotencyInProgressError,
  IdempotencyKeyReuseError,
  withIdempotency,
} from '../index.js';
import { describeStoreContract, fakeClock } from '../test-support/store-contract.js';
import { createDynamoDbIdempotencyStore } from './dynamodb-store.js';
import { createIdempotencyTable } from './table-definition.js';

const stack = useCheckoutStack();

describeStoreContract('DynamoDB Local with localCache', async () => {
  const client = new DynamoDBClient(stack.dynamodb.clientConfig);
  const tableName = uniqueName('idemc');
  await createIdempotencyTable(client, tableName);
  return {
    store: createDynamoDbIdempotencyStore({ client, tableName, localCache: true }),
    withItemLimit: (maxItemBytes) =>
      createDynamoDbIdempotencyStore({ client, tableName, maxItemBytes, localCache: true }),
    countRecords: async () =>
      (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? -1,
    teardown: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
});

describe('DynamoDB store localCache', () => {
  const client = new DynamoDBClient(stack.dynamodb.clientConfig);
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  let tableName: string;
  beforeAll(async () => {
    tableName = uniqueName('idemc');
    await createIdempotencyTable(client, tableName);
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  const checkoutOn = (
    store: ReturnType<typeof createDynamoDbIdempotencyStore>,
    now?: () => number,
    ttlSeconds = 60,
  ) => {
    let runs = 0;
    const fn = withIdempotency(
      async (input: { key: string; cart: string }) => {
        runs += 1;
        return { orderId: `o-${input.key}`, at: new Date(0), run: runs };
      },
      {
        store,
        scope: 'cached',
        key: (input) => input.key,
        fingerprint: (input) => input.cart,
        ttlSeconds,
        ...(now === undefined ? {} : { now }),
      },
    );
    return { fn, runs: () => runs };
  };

  it('replays a completed record without a DynamoDB call, in the stored shape, a fresh object each time', async () => {
    const { fn, runs } = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName, localCache: true }));
    const key = randomUUID();
    calls.length = 0;
    const first = await fn.withResult({ key, cart: 'a' });
    expect(calls).toEqual(['PutItemCommand', 'PutItemCommand']);
    expect(first).toEqual({ value: { orderId: `o-${key}`, at: new Date(0).toISOString(), run: 1 }, replayed: false });
    calls.length = 0;
    const again = await fn.withResult({ key, cart: 'a' });
    const third = await fn.withResult({ key, cart: 'a' });
    expect(calls).toEqual([]);
    expect(again).toEqual({ value: first.value, replayed: true });
    expect(third.value).not.toBe(again.value);
    expect(runs()).toBe(1);
  });

  it('a different payload is still a 422, without a call', async () => {
    const { fn } = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName, localCache: true }));
    const key = randomUUID();
    await fn({ key, cart: 'a' });
    calls.length = 0;
    await expect(fn({ key, cart: 'b' })).rejects.toBeInstanceOf(IdempotencyKeyReuseError);
    expect(calls).toEqual([]);
  });

  it('respects the expiry: from expiresAt on the table decides and the key runs again', async () => {
    const clock = fakeClock();
    const { fn, runs } = checkoutOn(
      createDynamoDbIdempotencyStore({ client, tableName, localCache: true }),
      clock.now,
      5,
    );
    const key = randomUUID();
    await fn({ key, cart: 'a' });
    clock.advance(4_999);
    calls.length = 0;
    expect((await fn.withResult({ key, cart: 'a' })).replayed).toBe(true);
    expect(calls).toEqual([]);
    clock.advance(1);
    const rerun = await fn.withResult({ key, cart: 'b' });
    expect(rerun.replayed).toBe(false);
    expect(runs()).toBe(2);
    expect(calls[0]).toBe('PutItemCommand');
  });

  it('never caches in-progress records: a duplicate during the run asks the table and gets the 409', async () => {
    const store = createDynamoDbIdempotencyStore({ client, tableName, localCache: true });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = withIdempotency(
      async (_key: string) => {
        started();
        await gate;
        return 'done';
      },
      { store, scope: 'slow', key: (key) => key },
    );
    const key = randomUUID();
    const first = slow(key);
    await running; // the first call holds the lease and runs
    calls.length = 0;
    await expect(slow(key)).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(calls).toEqual(['PutItemCommand']);
    release();
    expect(await first).toBe('done');
    calls.length = 0;
    expect(await slow(key)).toBe('done');
    expect(calls).toEqual([]);
  });

  it('caches a record another process completed once it has been read back', async () => {
    const writer = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName }));
    const reader = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName, localCache: true }));
    const key = randomUUID();
    await writer.fn({ key, cart: 'a' });
    calls.length = 0;
    expect((await reader.fn.withResult({ key, cart: 'a' })).replayed).toBe(true);
    expect((await reader.fn.withResult({ key, cart: 'a' })).replayed).toBe(true);
    expect(calls).toEqual(['PutItemCommand']);
    expect(reader.runs()).toBe(0);
  });

  it('replays a remembered error from the cache', async () => {
    const store = createDynamoDbIdempotencyStore({ client, tableName, localCache: true });
    let runs = 0;
    const decline = withIdempotency(
      async (_key: string) => {
        runs += 1;
        throw Object.assign(new Error('declined'), { code: 'card_declined' });
      },
      { store, scope: 'decline', key: (key) => key, rememberErrors: () => true },
    );
    const key = randomUUID();
    await expect(decline(key)).rejects.toThrow('declined');
    calls.length = 0;
    await expect(decline(key)).rejects.toMatchObject({ message: 'declined', code: 'card_declined' });
    expect(calls).toEqual([]);
    expect(runs).toBe(1);
  });

  it('is bounded by maxEntries (least recently used out) and by maxBytes (larger records are not kept)', async () => {
    const { fn } = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName, localCache: { maxEntries: 2 } }));
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await fn({ key: a, cart: 'x' });
    await fn({ key: b, cart: 'x' });
    await fn({ key: a, cart: 'x' }); // a is now the most recently used
    await fn({ key: c, cart: 'x' }); // b goes
    calls.length = 0;
    await fn({ key: a, cart: 'x' });
    await fn({ key: c, cart: 'x' });
    expect(calls).toEqual([]);
    await fn({ key: b, cart: 'x' });
    expect(calls).toEqual(['PutItemCommand']);

    const small = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName, localCache: { maxBytes: 100 } }));
    const d = randomUUID();
    await small.fn({ key: d, cart: 'x' });
    calls.length = 0;
    await small.fn({ key: d, cart: 'x' });
    expect(calls).toEqual(['PutItemCommand']);
  });

  it('is off by default', async () => {
    const { fn } = checkoutOn(createDynamoDbIdempotencyStore({ client, tableName }));
    const key = randomUUID();
    await fn({ key, cart: 'a' });
    calls.length = 0;
    await fn({ key, cart: 'a' });
    expect(calls).toEqual(['PutItemCommand']);
  });

  it('checks its options', () => {
    for (const [localCache, field] of [
      ['yes', 'localCache'],
      [{ maxEntries: 0 }, 'localCache.maxEntries'],
      [{ maxEntries: 1.5 }, 'localCache.maxEntries'],
      [{ maxBytes: -1 }, 'localCache.maxBytes'],
    ] as const) {
      let thrown: unknown;
      try {
        createDynamoDbIdempotencyStore({ client, tableName, localCache: localCache as unknown as boolean });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(IdempotencyConfigError);
      expect(thrown).toMatchObject({ field });
    }
    expect(() => createDynamoDbIdempotencyStore({ client, tableName, localCache: false })).not.toThrow();
  });
});
