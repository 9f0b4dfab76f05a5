import { isCheckoutError, toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import {
  createMemoryIdempotencyStore,
  IdempotencyConfigError,
  IdempotencyKeyError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
  type IdempotencyStore,
  once,
  type WithIdempotencyOptions,
  withIdempotency,
} from '../index.js';
import { idempotentTransaction } from '../kysely/idempotent-transaction.js';
import type { AcquireRequest, CompleteRequest } from '../store/idempotency-store.js';
import { fakeClock } from '../test-support/store-contract.js';

/** A memory store that remembers what it was asked. */
function recordingStore() {
  const inner = createMemoryIdempotencyStore();
  const acquired: AcquireRequest[] = [];
  const results: string[] = [];
  const store: IdempotencyStore & { acquired: AcquireRequest[]; results: string[] } = {
    acquired,
    results,
    acquire: async (request) => {
      acquired.push(request);
      return inner.acquire(request);
    },
    complete: async (request) => {
      results.push(request.result);
      return inner.complete(request);
    },
    release: (request) => inner.release(request),
  };
  return store;
}

describe('withIdempotency input checks', () => {
  it('rejects a missing or malformed key with a 400 error and writes nothing', async () => {
    const store = createMemoryIdempotencyStore();
    let runs = 0;
    const run = withIdempotency(
      async (_input: { key?: string }) => {
        runs += 1;
        return 'ok';
      },
      { store, scope: 'checkout', key: (input) => input.key },
    );
    for (const key of [undefined, '', 'x'.repeat(256), 'bad\tkey']) {
      await expect(run(key === undefined ? {} : { key })).rejects.toBeInstanceOf(IdempotencyKeyError);
    }
    await expect(run.withKey('', {})).rejects.toMatchObject({ field: 'key', httpStatus: 400 });
    expect(runs).toBe(0);
    expect(store.size).toBe(0);
  });

  it('turns a throwing key function into a rejection, not a synchronous throw', async () => {
    const run = withIdempotency(async () => 1, {
      store: createMemoryIdempotencyStore(),
      scope: 's',
      key: () => {
        throw new TypeError('no headers');
      },
    });
    const pending = run.withResult();
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow('no headers');
  });

  it('rejects a malformed scope as a key error naming the scope', async () => {
    const store = createMemoryIdempotencyStore();
    const run = withIdempotency(async (input: { tenant: string }) => input.tenant, {
      store,
      scope: (input) => input.tenant,
      key: () => 'k',
    });
    await expect(run({ tenant: '' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', field: 'scope' });
    expect(store.size).toBe(0);
  });

  it('rejects a payload that cannot be fingerprinted and writes nothing', async () => {
    const store = createMemoryIdempotencyStore();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const run = withIdempotency(async (_input: unknown) => 'ok', { store, scope: 's', key: () => 'k' });
    await expect(run(cyclic)).rejects.toBeInstanceOf(IdempotencyPayloadError);
    expect(store.size).toBe(0);
  });

  it.each([
    ['ttlSeconds', { ttlSeconds: 0 }],
    ['ttlSeconds', { ttlSeconds: Number.NaN }],
    ['inProgressLeaseMs', { inProgressLeaseMs: -1 }],
    // Durations are whole numbers in their unit.
    ['inProgressLeaseMs', { inProgressLeaseMs: 1.5 }],
    ['ttlSeconds', { ttlSeconds: 0.5 }],
    // Finite but so large that `now + ttl` is no longer an integer epoch-ms time a store can keep.
    ['ttlSeconds', { ttlSeconds: 1e300 }],
    ['ttlSeconds', { ttlSeconds: Number.MAX_SAFE_INTEGER }],
    ['inProgressLeaseMs', { inProgressLeaseMs: 1e300 }],
    ['inProgressLeaseMs', { inProgressLeaseMs: 100 * 365 * 24 * 3600 * 1000 + 1 }],
    ['ttlSeconds', { ttlSeconds: Number.POSITIVE_INFINITY }],
    // Checked up front: a bad one would otherwise fail as a raw TypeError, or only after fn ran.
    ['now', { now: Date.now() }],
    ['rememberErrors', { rememberErrors: true }],
    ['reviveError', { reviveError: {} }],
    ['serializer', { serializer: {} }],
    ['serializer', { serializer: { serialize: JSON.stringify } }],
    ['key', { key: 'k' }],
    ['fingerprint', { fingerprint: { a: 1 } }],
  ] as Array<[string, Record<string, unknown>]>)('rejects a bad %s when the function is wrapped', (option, bad) => {
    const options = { store: createMemoryIdempotencyStore(), scope: 's', ...bad } as WithIdempotencyOptions<[], number>;
    expect(() => withIdempotency(async () => 1, options)).toThrow(
      expect.objectContaining({ field: option, code: 'IDEMPOTENCY_INVALID_CONFIG' }),
    );
  });

  it('once refuses a bad store or options before running anything', async () => {
    let runs = 0;
    const fn = () => {
      runs += 1;
      return 'done';
    };
    await expect(once({} as IdempotencyStore, 'k', fn)).rejects.toMatchObject({ field: 'store' });
    await expect(once(createMemoryIdempotencyStore(), 'k', fn, null as never)).rejects.toMatchObject({
      field: 'options',
    });
    await expect(once(createMemoryIdempotencyStore(), 'k', fn, { serializer: {} as never })).rejects.toBeInstanceOf(
      IdempotencyConfigError,
    );
    expect(runs).toBe(0);
  });

  it('idempotentTransaction refuses missing options with the typed error', async () => {
    await expect(idempotentTransaction({} as never, undefined as never, async () => 1)).rejects.toMatchObject({
      field: 'store',
      code: 'IDEMPOTENCY_INVALID_CONFIG',
    });
  });

  it('withIdempotency refuses missing options with the typed error', () => {
    expect(() => withIdempotency(async () => 1, undefined as never)).toThrow(
      expect.objectContaining({ field: 'options', code: 'IDEMPOTENCY_INVALID_CONFIG' }),
    );
  });

  it('refuses a clock that does not return integer epoch milliseconds, before anything runs', async () => {
    const store = createMemoryIdempotencyStore();
    let runs = 0;
    const run = withIdempotency(async () => ++runs, { store, scope: 's', key: () => 'k', now: () => 1.5 });
    await expect(run()).rejects.toMatchObject({ code: 'IDEMPOTENCY_INVALID_CONFIG', field: 'now', httpStatus: 500 });
    expect(runs).toBe(0);
    expect(store.size).toBe(0);
  });

  it('errors are CheckoutErrors of core, with the option in field', () => {
    const error = (() => {
      try {
        withIdempotency(async () => 1, { store: createMemoryIdempotencyStore(), scope: 's', inProgressLeaseMs: 0 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isCheckoutError(error)).toBe(true);
    expect(error).toBeInstanceOf(IdempotencyConfigError);
    expect(error).toMatchObject({ field: 'inProgressLeaseMs', httpStatus: 500 });
  });

  it('a store refuses a malformed request with a 400 input error naming the field, and writes nothing', async () => {
    const store = createMemoryIdempotencyStore();
    const request = {
      key: '1:s:k',
      fingerprint: 'f',
      leaseToken: '',
      now: 1,
      leaseExpiresAt: 2,
      expiresAt: 3,
    };
    await expect(store.acquire(request)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_INVALID_INPUT',
      field: 'request.leaseToken',
      httpStatus: 400,
    });
    await expect(store.acquire({ ...request, leaseToken: 't', now: 1.5 })).rejects.toMatchObject({
      field: 'request.now',
    });
    await expect(
      store.complete({ key: '1:s:k', leaseToken: 't', outcome: 'maybe' as never, result: '1', expiresAt: 3 }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_INVALID_INPUT', field: 'request.outcome' });
    expect(store.size).toBe(0);
  });

  it('rejects a store that is not an IdempotencyStore', () => {
    expect(() => withIdempotency(async () => 1, { store: {} as IdempotencyStore, scope: 's' })).toThrow(
      IdempotencyConfigError,
    );
  });
});

describe('withIdempotency behaviour', () => {
  it('keeps the same signature and passes every argument through', async () => {
    const store = createMemoryIdempotencyStore();
    const add = withIdempotency(async (a: number, b: number, key: string) => a + b + key.length, {
      store,
      scope: 'add',
      key: (_a, _b, key) => key,
      fingerprint: (a, b) => [a, b],
    });
    const sum: number = await add(1, 2, 'abc');
    expect(sum).toBe(6);
  });

  it('ties the lease to the Lambda remaining time when a context is given', async () => {
    const store = recordingStore();
    const clock = fakeClock();
    const handler = withIdempotency(
      async (_event: { key: string }, _context: { getRemainingTimeInMillis(): number }) => 'ok',
      {
        store,
        scope: 'lambda',
        key: (event) => event.key,
        lambdaContext: (_event, context) => context,
        now: clock.now,
      },
    );
    await handler({ key: 'a' }, { getRemainingTimeInMillis: () => 12_345 });
    expect(store.acquired[0]?.leaseExpiresAt).toBe(clock.now() + 12_345);
  });

  it('uses the configured lease without a context', async () => {
    const store = recordingStore();
    const clock = fakeClock();
    const run = withIdempotency(async () => 'ok', {
      store,
      scope: 's',
      key: () => 'k',
      inProgressLeaseMs: 7_000,
      now: clock.now,
    });
    await run();
    expect(store.acquired[0]?.leaseExpiresAt).toBe(clock.now() + 7_000);
  });

  it('stores what the serializer makes (e.g. encrypted) and replays through it', async () => {
    const store = recordingStore();
    const reverse = (text: string) => [...text].reverse().join('');
    const run = withIdempotency(async () => ({ email: 'buyer@example.com' }), {
      store,
      scope: 's',
      key: () => 'k',
      serializer: {
        serialize: (value) => reverse(JSON.stringify(value)),
        deserialize: (text) => JSON.parse(reverse(text)) as { email: string },
      },
    });
    await run();
    expect(store.results[0]).not.toContain('buyer@example.com');
    expect(await run.withResult()).toEqual({ value: { email: 'buyer@example.com' }, replayed: true });
  });

  it('returns the stored shape on the first call too, so replays look the same', async () => {
    const run = withIdempotency(async () => ({ at: new Date(0), skip: undefined }), {
      store: createMemoryIdempotencyStore(),
      scope: 's',
      key: () => 'k',
    });
    expect(await run()).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('releases the key when fn throws, so the retry runs', async () => {
    const store = createMemoryIdempotencyStore();
    let runs = 0;
    const run = withIdempotency(
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('transient');
        return runs;
      },
      { store, scope: 's', key: () => 'k' },
    );
    await expect(run()).rejects.toThrow('transient');
    expect(await run()).toBe(2);
  });

  it('holds no state between wrapped functions: a second config on the same store is not ignored (Powertools #5409)', async () => {
    const store = createMemoryIdempotencyStore();
    const a = withIdempotency(async (input: { key: string; body: string }) => `a:${input.body}`, {
      store,
      scope: 'same',
      key: (input) => input.key,
      fingerprint: () => null,
    });
    const b = withIdempotency(async (input: { key: string; body: string }) => `b:${input.body}`, {
      store,
      scope: 'same-other',
      key: (input) => input.key,
    });
    expect(await a({ key: 'k', body: '1' })).toBe('a:1');
    expect(await a({ key: 'k', body: '2' })).toBe('a:1');
    expect(await b({ key: 'k', body: '1' })).toBe('b:1');
    await expect(b({ key: 'k', body: '2' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('reports a lost lease when the record was taken over before completion', async () => {
    const store = createMemoryIdempotencyStore();
    const run = withIdempotency(
      async () => {
        store.clear();
        return 'late';
      },
      { store, scope: 's', key: () => 'k' },
    );
    await expect(run()).rejects.toBeInstanceOf(IdempotencyLeaseLostError);
  });
});

describe('payloads that differ only inside a Map or Set', () => {
  it('a different cart in a Map gets 422, not the first cart result', async () => {
    const store = createMemoryIdempotencyStore();
    let runs = 0;
    const checkout = withIdempotency(
      async (input: { key: string; cart: Map<string, number> }) => ({ order: ++runs, lines: input.cart.size }),
      { store, scope: 'shop-1:checkout', key: (input) => input.key, fingerprint: (input) => ({ cart: input.cart }) },
    );
    await checkout({ key: 'k', cart: new Map([['sku-1', 1]]) });
    const error = await checkout({ key: 'k', cart: new Map([['sku-1', 5]]) }).catch((caught: unknown) => caught);
    expect(toHttpResponse(error)?.status).toBe(422);
    expect(await checkout.withResult({ key: 'k', cart: new Map([['sku-1', 1]]) })).toEqual({
      value: { order: 1, lines: 1 },
      replayed: true,
    });
    expect(runs).toBe(1);
  });

  it('a different Set of coupons gets 422', async () => {
    const checkout = withIdempotency(async (_input: { coupons: Set<string> }) => 'ok', {
      store: createMemoryIdempotencyStore(),
      scope: 's',
      key: () => 'k',
    });
    await checkout({ coupons: new Set(['A']) });
    await expect(checkout({ coupons: new Set(['B']) })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('a payload without a defined content (class instance) is a 400 and nothing is written', async () => {
    class Cart {
      constructor(readonly lines: number) {}
    }
    const store = createMemoryIdempotencyStore();
    const checkout = withIdempotency(async (_cart: Cart) => 'ok', { store, scope: 's', key: () => 'k' });
    const error = await checkout(new Cart(1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyPayloadError);
    expect(toHttpResponse(error)?.status).toBe(400);
    expect(store.size).toBe(0);
  });
});

describe('results the default serializer cannot store', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  class Receipt {
    constructor(readonly id: string) {}
  }
  it.each([
    ['a bigint', { amountMinor: 1999n }, /\$\.amountMinor: a bigint/],
    ['a Map', { lines: new Map([['sku-1', 1]]) }, /\$\.lines: a Map/],
    ['a Set', new Set([1]), /\$: a Set/],
    ['a cycle', cyclic, /cycle/],
    ['a function', { next: () => 1 }, /\$\.next: a function/],
    ['a symbol', [Symbol('x')], /\$\[0\]: a symbol/],
    ['NaN', { total: Number.NaN }, /\$\.total: NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, /\$: Infinity/],
    ['a class instance', new Receipt('r-1'), /\$: a Receipt instance/],
  ])('%s: typed 500, the record is kept, and the retry does not run fn again', async (_label, result, message) => {
    const store = createMemoryIdempotencyStore();
    let runs = 0;
    const run = withIdempotency(
      async () => {
        runs += 1;
        return result as unknown;
      },
      { store, scope: 's', key: () => 'k' },
    );
    const first = await run().catch((error: unknown) => error);
    expect(first).toBeInstanceOf(IdempotencyResultUnserializableError);
    expect((first as Error).message).toMatch(message);
    expect(toHttpResponse(first)).toEqual({
      status: 500,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        error: { code: 'IDEMPOTENCY_RESULT_UNSERIALIZABLE', message: 'Internal error' },
      }),
    });
    const retry = await run().catch((error: unknown) => error);
    expect(retry).toBeInstanceOf(IdempotencyResultUnserializableError);
    expect(runs).toBe(1);
    expect(store.size).toBe(1);
  });

  it('also when rememberErrors would accept any error: the unstorable result is not a business error', async () => {
    let runs = 0;
    const run = withIdempotency(async () => ({ n: BigInt(++runs) }), {
      store: createMemoryIdempotencyStore(),
      scope: 's',
      key: () => 'k',
      rememberErrors: () => true,
      reviveError: () => new Error('revived'),
    });
    await expect(run()).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
    await expect(run()).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
    expect(runs).toBe(1);
  });

  it('undefined: stored as null, the first call and the replay agree, fn runs once', async () => {
    let runs = 0;
    const run = withIdempotency(
      async () => {
        runs += 1;
        return runs === 1 ? undefined : 'second';
      },
      { store: createMemoryIdempotencyStore(), scope: 's', key: () => 'k' },
    );
    expect(await run.withResult()).toEqual({ value: null, replayed: false });
    expect(await run.withResult()).toEqual({ value: null, replayed: true });
    expect(runs).toBe(1);
  });

  it('a custom serializer that throws, or makes text the store would change, is the same typed error', async () => {
    for (const serialize of [
      () => {
        throw new Error('kms unavailable');
      },
      () => '"\uD800"',
      () => '"\u0000"',
    ]) {
      let runs = 0;
      const run = withIdempotency(async () => ++runs, {
        store: createMemoryIdempotencyStore(),
        scope: 's',
        key: () => 'k',
        serializer: { serialize, deserialize: (text) => JSON.parse(text) as number },
      });
      await expect(run()).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
      await expect(run()).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
      expect(runs).toBe(1);
    }
  });

  it('once: the same rule for a worker side effect', async () => {
    const store = createMemoryIdempotencyStore();
    let sent = 0;
    const send = () => once(store, 'order-1:receipt', async () => ({ sent: ++sent, at: 1n }));
    await expect(send()).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
    await expect(send()).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
    expect(sent).toBe(1);
  });
});

describe('results too large for the store', () => {
  /** A memory store that refuses results over 300 bytes, as DynamoDB refuses items over 400 KB. */
  function smallStore(): IdempotencyStore {
    const inner = createMemoryIdempotencyStore();
    return {
      acquire: (request) => inner.acquire(request),
      release: (request) => inner.release(request),
      complete: async (request: CompleteRequest) => {
        const bytes = Buffer.byteLength(request.result);
        if (bytes > 300) throw new IdempotencyResultTooLargeError(bytes, 300);
        await inner.complete(request);
      },
    };
  }

  it('is a typed 500 that keeps the key, also when rememberErrors would accept any error', async () => {
    let runs = 0;
    const run = withIdempotency(async () => 'x'.repeat(400 + ++runs), {
      store: smallStore(),
      scope: 's',
      key: () => 'k',
      rememberErrors: () => true,
      reviveError: () => new Error('revived'),
    });
    const first = await run().catch((error: unknown) => error);
    const retry = await run().catch((error: unknown) => error);
    expect(runs).toBe(1);
    expect(first).toMatchObject({ code: 'IDEMPOTENCY_RESULT_TOO_LARGE', bytes: 403, limitBytes: 300 });
    expect(retry).toBeInstanceOf(IdempotencyResultTooLargeError);
    expect(retry).toMatchObject({ bytes: 403, limitBytes: 300 });
    expect((retry as Error).message).toMatch(/first attempt .* ran .*not stored/);
    expect(toHttpResponse(retry)).toEqual({
      status: 500,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { code: 'IDEMPOTENCY_RESULT_TOO_LARGE', message: 'Internal error' } }),
    });
  });

  it('a "result too large" mark without its sizes is a record error, not a replay of something else', async () => {
    const store: IdempotencyStore = {
      acquire: async (request) => ({
        acquired: false,
        existing: {
          key: request.key,
          status: 'completed',
          fingerprint: request.fingerprint,
          leaseToken: 'other',
          leaseExpiresAt: request.now,
          expiresAt: request.now + 60_000,
          outcome: 'error',
          result: JSON.stringify({
            name: 'IdempotencyResultTooLargeError',
            message: 'result lost',
            properties: { code: 'IDEMPOTENCY_RESULT_TOO_LARGE', bytes: 'many' },
          }),
        },
      }),
      complete: async () => undefined,
      release: async () => false,
    };
    const run = withIdempotency(async () => 'ran', { store, scope: 's', key: () => 'k' });
    await expect(run()).rejects.toBeInstanceOf(IdempotencyRecordError);
  });
});

describe('remembered errors when the lease was lost', () => {
  it('still throws the business error, not the store failure', async () => {
    const store = createMemoryIdempotencyStore();
    const declined = new Error('card declined');
    const run = withIdempotency(
      async () => {
        store.clear();
        throw declined;
      },
      { store, scope: 's', key: () => 'k', rememberErrors: () => true },
    );
    await expect(run()).rejects.toBe(declined);
  });
});

describe('once', () => {
  it('validates the key before running anything', async () => {
    let runs = 0;
    await expect(
      once(createMemoryIdempotencyStore(), '', async () => {
        runs += 1;
      }),
    ).rejects.toBeInstanceOf(IdempotencyKeyError);
    expect(runs).toBe(0);
  });

  it('keeps keys apart by scope', async () => {
    const store = createMemoryIdempotencyStore();
    const a = await once(store, 'order-1', async () => 'receipt', { scope: 'receipt' });
    const b = await once(store, 'order-1', async () => 'analytics', { scope: 'analytics' });
    expect([a.value, b.value]).toEqual(['receipt', 'analytics']);
  });
});
