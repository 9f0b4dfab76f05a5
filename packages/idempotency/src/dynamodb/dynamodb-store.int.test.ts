import { randomUUID } from 'node:crypto';
import {
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '@checkout/core';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AcquireRequest,
  IdempotencyConfigError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
  type IdempotencyStore,
  withIdempotency,
} from '../index.js';
import { completingWithAttempt } from '../test-support/completing-with-attempt.js';
import { describeStoreContract, request } from '../test-support/store-contract.js';
import { createDynamoDbIdempotencyStore } from './dynamodb-store.js';
import { createIdempotencyTable, idempotencyTableDefinition } from './table-definition.js';

const stack = useCheckoutStack();

/** Pairs of well-formed strings that must stay two keys (the key check accepts all of them). */
const KEPT_APART: ReadonlyArray<readonly [string, string]> = [
  ['\uFFFE', '\uFFFF'],
  ['\uFFFF', '\uFFFD'],
  ['\uFDD0', '\uFFFD'],
  ['\uFEFF', ''],
  ['e\u0301', '\u00e9'],
  ['\u{10FFFF}', '\u{10FFFE}'],
  ['\u{10FFFF}', '\uFFFD'],
  ['\u200B', ''],
];
const visible = (text: string) =>
  JSON.stringify(text).replace(/[^\x20-\x7e]/gu, (c) => `U+${c.codePointAt(0)?.toString(16)}`);

/** A fresh attempt (acquire request) under `scope`, as the wrappers build one; `overrides` win. */
function attemptIn(scope: string, overrides: Partial<AcquireRequest> = {}): AcquireRequest {
  return request({ key: `${scope.length}:${scope}:${randomUUID()}`, ...overrides });
}

async function freshTable(client: DynamoDBClient): Promise<string> {
  const tableName = uniqueName('idem');
  await createIdempotencyTable(client, tableName);
  return tableName;
}

describeStoreContract('DynamoDB Local', async () => {
  const client = new DynamoDBClient(stack.dynamodb.clientConfig);
  const tableName = await freshTable(client);
  return {
    store: createDynamoDbIdempotencyStore({ client, tableName }),
    withItemLimit: (maxItemBytes) => createDynamoDbIdempotencyStore({ client, tableName, maxItemBytes }),
    countRecords: async () =>
      (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? -1,
    teardown: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
});

// The same contract with every completion carrying its attempt (one PutItem of the whole record).
describeStoreContract('DynamoDB Local, completions carrying the attempt', async () => {
  const client = new DynamoDBClient(stack.dynamodb.clientConfig);
  const tableName = await freshTable(client);
  return {
    store: completingWithAttempt(createDynamoDbIdempotencyStore({ client, tableName })),
    withItemLimit: (maxItemBytes) =>
      completingWithAttempt(createDynamoDbIdempotencyStore({ client, tableName, maxItemBytes })),
    countRecords: async () =>
      (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? -1,
    teardown: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
});

describe('DynamoDbIdempotencyStore specifics', () => {
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
  let store: IdempotencyStore;
  beforeAll(async () => {
    tableName = await freshTable(client);
    store = createDynamoDbIdempotencyStore({ client, tableName });
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  it('exports the shared table definition: pk (S), no sort key, TTL on expiresAt', () => {
    expect(idempotencyTableDefinition).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      timeToLiveAttribute: 'expiresAt',
    });
    expect(createTableInput(idempotencyTableDefinition, 'idem-t1')).toMatchObject({
      TableName: 'idem-t1',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
  });

  it('uses two PutItems for a first execution (take the key, store the whole record) and one for a replay', async () => {
    const checkout = withIdempotency(async (input: { key: string }) => ({ ok: input.key.length }), {
      store,
      scope: 'checkout',
      key: (input) => input.key,
    });
    const key = randomUUID();
    calls.length = 0;
    await checkout({ key });
    expect(calls).toEqual(['PutItemCommand', 'PutItemCommand']);
    calls.length = 0;
    expect((await checkout.withResult({ key })).replayed).toBe(true);
    expect(calls).toEqual(['PutItemCommand']);
  });

  it('writes the same completed record whether the completion carries the attempt (PutItem) or not (UpdateItem)', async () => {
    const now = Date.now();
    const items = [];
    for (const carried of [true, false]) {
      const attempt = attemptIn('same', {
        fingerprint: 'a'.repeat(64),
        now,
        leaseExpiresAt: now + 60_000,
        expiresAt: now + 120_000,
      });
      await store.acquire(attempt);
      calls.length = 0;
      const completion = { key: attempt.key, leaseToken: attempt.leaseToken, outcome: 'error' as const, result: '{}' };
      await store.complete(
        carried
          ? {
              ...completion,
              expiresAt: now + 3_600_500,
              fingerprint: attempt.fingerprint,
              leaseExpiresAt: attempt.leaseExpiresAt,
            }
          : { ...completion, expiresAt: now + 3_600_500 },
      );
      expect(calls).toEqual([carried ? 'PutItemCommand' : 'UpdateItemCommand']);
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: attempt.key } }, ConsistentRead: true }),
      );
      const { pk: _pk, leaseToken: _token, ...rest } = Item ?? {};
      items.push(rest);
    }
    expect(items[0]).toEqual(items[1]);
    expect(items[0]).toEqual({
      status: { S: 'completed' },
      fingerprint: { S: 'a'.repeat(64) },
      leaseExpiresAt: { N: String(now + 60_000) },
      expiresAtMs: { N: String(now + 3_600_500) },
      expiresAt: { N: String(Math.ceil((now + 3_600_500) / 1000)) },
      outcome: { S: 'error' },
      result: { S: '{}' },
    });
  });

  it('asks only for a new key on the first PutItem; a record that can be taken over costs a second one', async () => {
    const conditions: Array<string | undefined> = [];
    const watched = new DynamoDBClient(stack.dynamodb.clientConfig);
    watched.middlewareStack.add(
      (next) => async (args) => {
        conditions.push((args.input as { ConditionExpression?: string }).ConditionExpression);
        return next(args);
      },
      { step: 'initialize', name: 'watchConditions' },
    );
    const watchedStore = createDynamoDbIdempotencyStore({ client: watched, tableName });
    const first = attemptIn('watched');
    expect(await watchedStore.acquire(first)).toEqual({ acquired: true });
    expect(conditions).toEqual(['attribute_not_exists(pk)']);
    conditions.length = 0;
    // A live lease: one call, the record comes back.
    expect((await watchedStore.acquire({ ...first, leaseToken: randomUUID() })).acquired).toBe(false);
    expect(conditions).toHaveLength(1);
    conditions.length = 0;
    // An expired lease with another fingerprint: still one call, nothing taken over.
    const other = { ...first, fingerprint: 'a'.repeat(64), leaseToken: randomUUID(), now: first.leaseExpiresAt };
    expect((await watchedStore.acquire(other)).acquired).toBe(false);
    expect(conditions).toHaveLength(1);
    conditions.length = 0;
    // An expired lease with the same fingerprint: the second PutItem carries the full condition.
    const takeover = { ...first, leaseToken: randomUUID(), now: first.leaseExpiresAt };
    expect(await watchedStore.acquire(takeover)).toEqual({ acquired: true });
    expect(conditions).toHaveLength(2);
    expect(conditions[1]).toContain('leaseExpiresAt <= :now');
    watched.destroy();
  });

  it('writes the TTL attribute in epoch seconds', async () => {
    // In the future: DynamoDB Local's TTL would delete an item whose expiresAt lies in the real past.
    const clock = () => Date.UTC(2030, 0, 1, 12);
    const checkout = withIdempotency(async () => 'ok', {
      store,
      scope: 'ttl',
      key: () => 'k1',
      ttlSeconds: 90,
      now: clock,
    });
    await checkout();
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: '3:ttl:k1' } } }));
    expect(Item?.expiresAt?.N).toBe(String(Date.UTC(2030, 0, 1, 12) / 1000 + 90));
  });

  it('fails a result over the item size limit with a clear error and keeps the key: the retry does not run fn', async () => {
    let runs = 0;
    const big = withIdempotency(
      async (_input: { key: string }) => {
        runs += 1;
        return runs === 1 ? 'x'.repeat(420 * 1024) : 'small';
      },
      { store, scope: 'big', key: (input) => input.key },
    );
    const key = randomUUID();
    const error = await big({ key }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyResultTooLargeError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_RESULT_TOO_LARGE', limitBytes: 400 * 1024 });
    // The key used to be released here, so the retry ran fn a second time (a second charge).
    const retry = await big.withResult({ key }).catch((caught: unknown) => caught);
    expect(retry).toBeInstanceOf(IdempotencyResultTooLargeError);
    expect(retry).toMatchObject({ code: 'IDEMPOTENCY_RESULT_TOO_LARGE', limitBytes: 400 * 1024 });
    expect(runs).toBe(1);
  });

  it('maps DynamoDB rejecting an oversized item when the configured limit is too high, and keeps the key', async () => {
    const loose = createDynamoDbIdempotencyStore({ client, tableName, maxItemBytes: 10 * 1024 * 1024 });
    let runs = 0;
    const big = withIdempotency(async () => `${++runs}`.repeat(500 * 1024), {
      store: loose,
      scope: 'big2',
      key: () => key,
    });
    const key = randomUUID();
    await expect(big()).rejects.toBeInstanceOf(IdempotencyResultTooLargeError);
    await expect(big()).rejects.toMatchObject({ code: 'IDEMPOTENCY_RESULT_TOO_LARGE' });
    expect(runs).toBe(1);
  });

  it('rejects a corrupted record read back with a typed error naming the field', async () => {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: '7:corrupt:k' },
          status: { S: 'completed' },
          fingerprint: { S: 'x' },
          expiresAtMs: { N: String(Date.now() + 60_000) },
        },
      }),
    );
    const read = withIdempotency(async () => 'never', { store, scope: 'corrupt', key: () => 'k' });
    const error = await read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyRecordError);
    expect(error).toMatchObject({ field: 'leaseToken' });
  });

  it('survives SDK retries of the acquire and the completion whose first responses were lost', async () => {
    const flaky = new DynamoDBClient({ ...stack.dynamodb.clientConfig, maxAttempts: 3 });
    const lost = new Set<string>();
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as { Item?: Record<string, { S?: string }> };
        const command = `${String(context.commandName)} ${input.Item?.status?.S ?? ''}`.trim();
        if (!lost.has(command)) {
          lost.add(command);
          // The write happened; the response never arrived. The SDK retries it.
          throw Object.assign(new Error('response lost'), { name: 'TimeoutError', $retryable: {} });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstResponse' },
    );
    const flakyStore = createDynamoDbIdempotencyStore({ client: flaky, tableName });
    let runs = 0;
    const run = withIdempotency(async () => ++runs, { store: flakyStore, scope: 'retry', key: () => randomUUID() });
    expect(await run()).toBe(1);
    expect([...lost]).toEqual(['PutItemCommand in_progress', 'PutItemCommand completed']);
    // By hand, without the attempt: the completion is an UpdateItem, retried the same way.
    const attempt = attemptIn('retry');
    expect(await flakyStore.acquire(attempt)).toEqual({ acquired: true });
    await flakyStore.complete({
      key: attempt.key,
      leaseToken: attempt.leaseToken,
      outcome: 'value',
      result: '"by hand"',
      expiresAt: attempt.expiresAt,
    });
    expect(lost.has('UpdateItemCommand')).toBe(true);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: attempt.key } }, ConsistentRead: true }),
    );
    expect(Item?.result?.S).toBe('"by hand"');
    flaky.destroy();
  });

  it('why keys are checked: DynamoDB keeps ONE item for keys that differ only in an unpaired surrogate', async () => {
    const base = `surrogate-${randomUUID()}`;
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `${base}\uD800` } } }));
    const other = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `${base}\uDBFF` } }, ConsistentRead: true }),
    );
    expect(other.Item).toBeDefined();
  });

  it('and keeps apart what the key check accepts (noncharacters, U+FFFD, BOM, combining marks, astral)', async () => {
    const base = `kept-${randomUUID()}`;
    for (const [a, b] of KEPT_APART) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `${base}${a}` } } }));
      const other = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `${base}${b}` } }, ConsistentRead: true }),
      );
      expect(other.Item, `${visible(a)} vs ${visible(b)}`).toBeUndefined();
    }
  });

  it('validates the options when the store is created', () => {
    expect(() => createDynamoDbIdempotencyStore({ client, tableName: 'bad name; drop' })).toThrow(
      IdempotencyConfigError,
    );
    expect(() => createDynamoDbIdempotencyStore({ client, tableName: 'bad name; drop' })).toThrow(
      expect.objectContaining({ field: 'tableName', code: 'IDEMPOTENCY_INVALID_CONFIG' }),
    );
    expect(() => createDynamoDbIdempotencyStore({ client, tableName, maxItemBytes: 0 })).toThrow(
      expect.objectContaining({ field: 'maxItemBytes' }),
    );
    expect(() => createDynamoDbIdempotencyStore({ client: {} as DynamoDBClient, tableName })).toThrow(
      expect.objectContaining({ field: 'client' }),
    );
  });
});
