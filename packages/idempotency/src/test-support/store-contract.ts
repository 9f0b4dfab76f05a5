// The one contract every IdempotencyStore passes (memory, DynamoDB Local, Postgres). Each test
// file calls describeStoreContract with a factory for a fresh store.
import { randomUUID } from 'node:crypto';
import { toHttpResponse } from '@checkout/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  IdempotencyInputError,
  IdempotencyKeyError,
  IdempotencyKeyReuseError,
  IdempotencyLeaseLostError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
  once,
  withIdempotency,
} from '../index.js';
import type { AcquireRequest, CompleteRequest, IdempotencyStore } from '../store/idempotency-store.js';

/** A fresh store for one contract run, and how to clean it up. */
export interface StoreUnderTest {
  readonly store: IdempotencyStore;
  /** How many records the store holds now (to prove that refused input wrote nothing). */
  countRecords(): Promise<number>;
  /**
   * The same backend (same records) with an item size limit of `maxBytes`, for stores that have
   * one (DynamoDB's `maxItemBytes`). Stores without a limit of their own leave it out: the suite
   * then puts {@link refusingResultsOver} in front of `store`.
   */
  withItemLimit?(maxBytes: number): IdempotencyStore;
  teardown?(): Promise<void>;
}

/**
 * `store` with a result size limit, for stores that have none (memory, Postgres): `complete`
 * refuses a result over `maxBytes` (UTF-8) the way DynamoDB refuses an item over 400 KB, and
 * passes everything else, the "result lost" mark included, to the real store.
 */
function refusingResultsOver(store: IdempotencyStore, maxBytes: number): IdempotencyStore {
  return {
    acquire: (request) => store.acquire(request),
    release: (request) => store.release(request),
    complete: async (request: CompleteRequest) => {
      const bytes = Buffer.byteLength(request.result);
      if (bytes > maxBytes) throw new IdempotencyResultTooLargeError(bytes, maxBytes);
      await store.complete(request);
    },
  };
}

/** A promise plus the function that settles it: lets a test hold `fn` mid-flight without timers. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * A clock tests move by hand. It starts at the real time (whole seconds): DynamoDB Local really
 * deletes items whose TTL attribute lies in the real past, so fake time must not run behind.
 */
export function fakeClock(start = Math.ceil(Date.now() / 1000) * 1000): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

/** A fresh acquire request (key under scope `checkout`, SHA-256-sized fingerprint); `overrides` win. */
export function request(overrides: Partial<AcquireRequest> = {}): AcquireRequest {
  const now = overrides.now ?? Date.now();
  return {
    key: `7:checkout:${randomUUID()}`,
    fingerprint: 'f'.repeat(64),
    leaseToken: randomUUID(),
    now,
    leaseExpiresAt: now + 30_000,
    expiresAt: now + 3_600_000,
    ...overrides,
  };
}

/** Registers the shared contract suite for the store `setup` creates. */
export function describeStoreContract(label: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`IdempotencyStore contract: ${label}`, () => {
    let subject: StoreUnderTest;
    let store: IdempotencyStore;
    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.teardown?.();
    });

    describe('store operations', () => {
      it('acquires a new key once; a second acquire returns the in-progress record', async () => {
        const first = request();
        expect(await store.acquire(first)).toEqual({ acquired: true });
        const second = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(second.acquired).toBe(false);
        if (second.acquired) return;
        expect(second.existing).toMatchObject({
          key: first.key,
          status: 'in_progress',
          fingerprint: first.fingerprint,
          leaseToken: first.leaseToken,
          leaseExpiresAt: first.leaseExpiresAt,
          expiresAt: first.expiresAt,
        });
        expect(second.existing.result).toBeUndefined();
      });

      it('completes with the lease token and replays outcome and result', async () => {
        const first = request({ key: `k:${randomUUID()}:ünï©ødé "quotes" 'and' #hash` });
        await store.acquire(first);
        await store.complete({
          key: first.key,
          leaseToken: first.leaseToken,
          outcome: 'value',
          result: '{"orderId":"o-1"}',
          expiresAt: first.expiresAt + 1,
        });
        const again = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(again).toEqual({
          acquired: false,
          existing: expect.objectContaining({
            status: 'completed',
            outcome: 'value',
            result: '{"orderId":"o-1"}',
            expiresAt: first.expiresAt + 1,
          }),
        });
      });

      it('rejects completion with a foreign lease token and changes nothing', async () => {
        const first = request();
        await store.acquire(first);
        await expect(
          store.complete({
            key: first.key,
            leaseToken: randomUUID(),
            outcome: 'value',
            result: '1',
            expiresAt: first.expiresAt,
          }),
        ).rejects.toBeInstanceOf(IdempotencyLeaseLostError);
        const again = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(again.acquired === false && again.existing.status).toBe('in_progress');
      });

      it('rejects completion of a key that does not exist', async () => {
        await expect(
          store.complete({
            key: `missing:${randomUUID()}`,
            leaseToken: randomUUID(),
            outcome: 'value',
            result: '1',
            expiresAt: 1,
          }),
        ).rejects.toBeInstanceOf(IdempotencyLeaseLostError);
      });

      it('releases only with the lease token (Powertools #5675: a duplicate never erases the owner)', async () => {
        const first = request();
        await store.acquire(first);
        expect(await store.release({ key: first.key, leaseToken: randomUUID() })).toBe(false);
        const stillHeld = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(stillHeld.acquired).toBe(false);
        expect(await store.release({ key: first.key, leaseToken: first.leaseToken })).toBe(true);
        expect(await store.acquire({ ...first, leaseToken: randomUUID() })).toEqual({ acquired: true });
      });

      it('never releases a completed record', async () => {
        const first = request();
        await store.acquire(first);
        await store.complete({
          key: first.key,
          leaseToken: first.leaseToken,
          outcome: 'value',
          result: '1',
          expiresAt: first.expiresAt,
        });
        expect(await store.release({ key: first.key, leaseToken: first.leaseToken })).toBe(false);
        const again = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(again.acquired === false && again.existing.status).toBe('completed');
      });

      it('lets a same-fingerprint attempt take over an expired lease; the old token can neither complete nor release', async () => {
        const first = request();
        await store.acquire(first);
        const later = first.leaseExpiresAt;
        const second = { ...first, leaseToken: randomUUID(), now: later, leaseExpiresAt: later + 30_000 };
        expect(await store.acquire(second)).toEqual({ acquired: true });
        await expect(
          store.complete({
            key: first.key,
            leaseToken: first.leaseToken,
            outcome: 'value',
            result: '"late"',
            expiresAt: first.expiresAt,
          }),
        ).rejects.toBeInstanceOf(IdempotencyLeaseLostError);
        expect(await store.release({ key: first.key, leaseToken: first.leaseToken })).toBe(false);
        const check = await store.acquire({ ...second, leaseToken: randomUUID() });
        expect(check.acquired === false && check.existing.leaseToken).toBe(second.leaseToken);
      });

      it('does not let a different fingerprint take over an expired lease', async () => {
        const first = request();
        await store.acquire(first);
        const other = await store.acquire({
          ...first,
          fingerprint: 'a'.repeat(64),
          leaseToken: randomUUID(),
          now: first.leaseExpiresAt + 1,
        });
        expect(other.acquired === false && other.existing.leaseToken).toBe(first.leaseToken);
      });

      it('lets the key run again once its TTL has passed', async () => {
        const first = request();
        await store.acquire(first);
        await store.complete({
          key: first.key,
          leaseToken: first.leaseToken,
          outcome: 'value',
          result: '1',
          expiresAt: first.expiresAt,
        });
        const beforeTtl = await store.acquire({ ...first, leaseToken: randomUUID(), now: first.expiresAt - 1 });
        expect(beforeTtl.acquired).toBe(false);
        const afterTtl = await store.acquire({
          ...first,
          fingerprint: 'b'.repeat(64),
          leaseToken: randomUUID(),
          now: first.expiresAt,
          leaseExpiresAt: first.expiresAt + 30_000,
          expiresAt: first.expiresAt + 3_600_000,
        });
        expect(afterTtl).toEqual({ acquired: true });
      });

      it('grants exactly one of 50 concurrent acquires of one key', async () => {
        const base = request();
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.acquire({ ...base, leaseToken: randomUUID() })),
        );
        expect(results.filter((result) => result.acquired)).toHaveLength(1);
      });

      it('grants exactly one of 20 concurrent takeovers of an expired lease, and one of 20 after the TTL', async () => {
        const leased = request();
        await store.acquire(leased);
        const late = leased.leaseExpiresAt;
        const takeovers = await Promise.all(
          Array.from({ length: 20 }, () =>
            store.acquire({ ...leased, leaseToken: randomUUID(), now: late, leaseExpiresAt: late + 30_000 }),
          ),
        );
        expect(takeovers.filter((result) => result.acquired)).toHaveLength(1);

        const done = request();
        await store.acquire(done);
        await store.complete({
          key: done.key,
          leaseToken: done.leaseToken,
          outcome: 'value',
          result: '1',
          expiresAt: done.expiresAt,
        });
        const after = done.expiresAt;
        const reruns = await Promise.all(
          Array.from({ length: 20 }, () =>
            store.acquire({
              ...done,
              leaseToken: randomUUID(),
              now: after,
              leaseExpiresAt: after + 30_000,
              expiresAt: after + 3_600_000,
            }),
          ),
        );
        expect(reruns.filter((result) => result.acquired)).toHaveLength(1);
      });
    });

    // DynamoDB and Postgres store a string with an unpaired surrogate as something else (U+FFFD, or
    // one shared item for every such key): two scopes or keys that differ only there would share a
    // record. The memory store would keep them apart; every store must refuse them all the same.
    describe('text the store cannot keep apart is refused before any write', () => {
      const run = (runs: { count: number }) =>
        withIdempotency(
          async (input: { tenant: string; key: string }) => {
            runs.count += 1;
            return { secretFor: input.tenant };
          },
          { store, scope: (input) => `${input.tenant}:checkout`, key: (input) => input.key, fingerprint: () => 'same' },
        );

      it('two tenants whose scopes differ only in an unpaired surrogate never share a record', async () => {
        const runs = { count: 0 };
        const before = await subject.countRecords();
        const key = randomUUID();
        const tenant = `shop-${randomUUID()}`;
        for (const lone of ['\uD800', '\uDBFF', '\uDC00']) {
          const error = await run(runs)({ tenant: `${tenant}${lone}`, key }).catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(IdempotencyKeyError);
          expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', httpStatus: 400, field: 'scope' });
          expect(toHttpResponse(error)?.status).toBe(400);
        }
        expect(runs.count).toBe(0);
        expect(await subject.countRecords()).toBe(before);
      });

      it('keys that differ only in an unpaired surrogate, or hold NUL, are refused by withIdempotency and once', async () => {
        const runs = { count: 0 };
        const before = await subject.countRecords();
        const key = randomUUID();
        const checkout = run(runs);
        for (const bad of [`${key}\uD800`, `${key}\uDFFF`, `${key}\u0000`]) {
          await expect(checkout({ tenant: 'shop-1', key: bad })).rejects.toMatchObject({
            field: 'key',
            httpStatus: 400,
          });
          await expect(checkout.withKey(bad, { tenant: 'shop-1', key })).rejects.toBeInstanceOf(IdempotencyKeyError);
          await expect(once(store, bad, () => runs.count++)).rejects.toMatchObject({ field: 'key' });
          await expect(once(store, key, () => runs.count++, { scope: `once${bad}` })).rejects.toMatchObject({
            field: 'scope',
          });
        }
        expect(runs.count).toBe(0);
        expect(await subject.countRecords()).toBe(before);
      });

      it('every store entry point refuses an ill-formed stored key with the typed 400 and writes nothing', async () => {
        const before = await subject.countRecords();
        for (const key of [`7:checkout:${randomUUID()}\uD800`, `7:checkout:${randomUUID()}\u0000`, '']) {
          const attempt = request({ key });
          await expect(store.acquire(attempt)).rejects.toBeInstanceOf(IdempotencyKeyError);
          await expect(
            store.complete({ key, leaseToken: attempt.leaseToken, outcome: 'value', result: '1', expiresAt: 1 }),
          ).rejects.toBeInstanceOf(IdempotencyKeyError);
          await expect(store.release({ key, leaseToken: attempt.leaseToken })).rejects.toBeInstanceOf(
            IdempotencyKeyError,
          );
        }
        expect(await subject.countRecords()).toBe(before);
      });

      it('refuses result text the store would change (unpaired surrogate, NUL) and keeps the record', async () => {
        const first = request();
        await store.acquire(first);
        for (const result of ['"a\uD800"', '"a\u0000"']) {
          await expect(
            store.complete({ key: first.key, leaseToken: first.leaseToken, outcome: 'value', result, expiresAt: 1 }),
          ).rejects.toBeInstanceOf(IdempotencyResultUnserializableError);
        }
        const again = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(again.acquired === false && again.existing.status).toBe('in_progress');
      });

      it("refuses a completion's ill-formed attempt fields (fingerprint, leaseExpiresAt) and keeps the record", async () => {
        const first = request();
        await store.acquire(first);
        const completion = { key: first.key, leaseToken: first.leaseToken, outcome: 'value' as const, result: '1' };
        for (const carried of [
          { fingerprint: '', leaseExpiresAt: first.leaseExpiresAt },
          { fingerprint: `${first.fingerprint}\u0000`, leaseExpiresAt: first.leaseExpiresAt },
          { fingerprint: 'f'.repeat(257), leaseExpiresAt: first.leaseExpiresAt },
          { fingerprint: first.fingerprint, leaseExpiresAt: 1.5 },
          { fingerprint: first.fingerprint, leaseExpiresAt: Number.NaN },
        ]) {
          await expect(
            store.complete({ ...completion, expiresAt: first.expiresAt, ...carried }),
          ).rejects.toBeInstanceOf(IdempotencyInputError);
        }
        const again = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(again.acquired === false && again.existing.status).toBe('in_progress');
        // Well-formed, they complete the record like any completion.
        await store.complete({
          ...completion,
          expiresAt: first.expiresAt,
          fingerprint: first.fingerprint,
          leaseExpiresAt: first.leaseExpiresAt,
        });
        const done = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(done.acquired === false && done.existing).toMatchObject({
          status: 'completed',
          fingerprint: first.fingerprint,
          result: '1',
        });
      });
      it('refuses a completion carrying another fingerprint than its lease was acquired with, and changes nothing', async () => {
        const first = request();
        await store.acquire(first);
        const completion = {
          key: first.key,
          leaseToken: first.leaseToken,
          outcome: 'value' as const,
          result: '1',
          expiresAt: first.expiresAt,
          leaseExpiresAt: first.leaseExpiresAt,
        };
        const error = await store
          .complete({ ...completion, fingerprint: 'b'.repeat(64) })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(IdempotencyInputError);
        expect(error).toMatchObject({ code: 'IDEMPOTENCY_INVALID_INPUT', field: 'request.fingerprint' });
        const again = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(again.acquired === false && again.existing).toMatchObject({
          status: 'in_progress',
          fingerprint: first.fingerprint,
        });
        // The lease still holds: the right completion goes through; a stale token is still a lost lease.
        await expect(
          store.complete({ ...completion, leaseToken: randomUUID(), fingerprint: first.fingerprint }),
        ).rejects.toBeInstanceOf(IdempotencyLeaseLostError);
        await store.complete({ ...completion, fingerprint: first.fingerprint });
        const replay = await store.acquire({ ...first, leaseToken: randomUUID() });
        expect(replay.acquired === false && replay.existing).toMatchObject({ status: 'completed', result: '1' });
      });
    });

    describe('withIdempotency on this store', () => {
      const scope = () => `shop-${randomUUID()}:checkout`;

      it('runs fn once; a retry replays the stored result without running it', async () => {
        let runs = 0;
        const checkout = withIdempotency(
          async (input: { key: string; cart: string[] }) => {
            runs += 1;
            return { orderId: `order-${runs}`, lines: input.cart.length, at: new Date(0) };
          },
          { store, scope: scope(), key: (input) => input.key },
        );
        const input = { key: randomUUID(), cart: ['sku-1', 'sku-2'] };
        const first = await checkout.withResult(input);
        const retry = await checkout.withResult({ cart: ['sku-1', 'sku-2'], key: input.key });
        expect(runs).toBe(1);
        expect(first).toEqual({
          value: { orderId: 'order-1', lines: 2, at: '1970-01-01T00:00:00.000Z' },
          replayed: false,
        });
        expect(retry).toEqual({ ...first, replayed: true });
      });

      it('50 concurrent calls with one key: fn runs exactly once, the others get the in-progress error', async () => {
        let runs = 0;
        const hold = gate();
        const checkout = withIdempotency(
          async (_input: { key: string }) => {
            runs += 1;
            await hold.promise;
            return { orderId: 'o-1' };
          },
          { store, scope: scope(), key: (input) => input.key },
        );
        const key = randomUUID();
        let settled = 0;
        const calls = Array.from({ length: 50 }, () =>
          checkout({ key }).finally(() => {
            settled += 1;
            if (settled === 49 || runs > 1) hold.open();
          }),
        );
        const outcomes = await Promise.allSettled(calls);
        expect(runs).toBe(1);
        const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const rejected = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(49);
        for (const reason of rejected) expect(reason).toBeInstanceOf(IdempotencyInProgressError);

        const replays = await Promise.all(Array.from({ length: 50 }, () => checkout.withResult({ key })));
        expect(runs).toBe(1);
        expect(replays.every((replay) => replay.replayed && replay.value.orderId === 'o-1')).toBe(true);
      });

      it('maps a duplicate in progress to 409 with Retry-After, not 500 (Powertools #3425)', async () => {
        const hold = gate();
        const started = gate();
        const checkout = withIdempotency(
          async (_input: { key: string }) => {
            started.open();
            await hold.promise;
            return 'done';
          },
          { store, scope: scope(), key: (input) => input.key, inProgressLeaseMs: 30_000 },
        );
        const key = randomUUID();
        const owner = checkout({ key });
        await started.promise;
        const duplicate = await checkout({ key }).catch((error: unknown) => error);
        expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
        const response = toHttpResponse(duplicate);
        expect(response?.status).toBe(409);
        expect(Number(response?.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
        expect(Number(response?.headers['Retry-After'])).toBeLessThanOrEqual(30);
        expect(JSON.parse(response?.body ?? '{}')).toEqual({
          error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: expect.any(String) },
        });
        hold.open();
        expect(await owner).toBe('done');
      });

      it('rejects the same key with a different payload (422)', async () => {
        const checkout = withIdempotency(async (input: { key: string; amount: number }) => input.amount, {
          store,
          scope: scope(),
          key: (input) => input.key,
        });
        const key = randomUUID();
        await checkout({ key, amount: 100 });
        const error = await checkout({ key, amount: 999 }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(IdempotencyKeyReuseError);
        expect(toHttpResponse(error)?.status).toBe(422);
      });

      it('fingerprints only the chosen part of the input, key order does not matter', async () => {
        let runs = 0;
        const checkout = withIdempotency(
          async (input: { key: string; traceId: string; body: Record<string, number> }) => {
            runs += 1;
            return input.body;
          },
          { store, scope: scope(), key: (input) => input.key, fingerprint: (input) => input.body },
        );
        const key = randomUUID();
        await checkout({ key, traceId: 't-1', body: { a: 1, b: 2 } });
        const replay = await checkout.withResult({ key, traceId: 't-2', body: { b: 2, a: 1 } });
        expect(replay.replayed).toBe(true);
        expect(runs).toBe(1);
      });

      it('isolates scopes: caller B cannot read caller A result with A key', async () => {
        const key = randomUUID();
        const make = () =>
          withIdempotency(async (input: { tenant: string; key: string }) => ({ secretFor: input.tenant }), {
            store,
            scope: (input) => `${input.tenant}:checkout`,
            key: (input) => input.key,
            fingerprint: () => 'same',
          });
        const a = await make().withResult({ tenant: `a-${key}`, key });
        const b = await make().withResult({ tenant: `b-${key}`, key });
        expect(a).toEqual({ value: { secretFor: `a-${key}` }, replayed: false });
        expect(b).toEqual({ value: { secretFor: `b-${key}` }, replayed: false });
      });

      it('distinct (scope, key) pairs never share a record: separators, case, spaces, normalization, byte limit', async () => {
        const run = randomUUID();
        const fn = withIdempotency(async (input: { scope: string; key: string }) => `${input.scope}|${input.key}`, {
          store,
          scope: (input) => input.scope,
          key: (input) => input.key,
          fingerprint: () => 'same',
        });
        const pairs: Array<[string, string]> = [
          [`a:b${run}`, 'c'],
          [`a`, `b${run}:c`],
          [`a:b${run}:`, 'c'],
          [`a${run}`, 'K'],
          [`a${run}`, 'k'],
          [`a${run}`, 'k '],
          [`a${run} `, 'k'],
          [`a${run}`, 'caf\u00e9'],
          [`a${run}`, 'cafe\u0301'],
          [`a${run}`, '\ufffe'],
          [`a${run}`, '\uffff'],
          [`a${run}`, '\ufffd'],
          [`a${run}`, '😀'],
          [`a${run}`, `${'é'.repeat(127)}x`],
          [`a${run}`, `${'é'.repeat(127)}y`],
          [`${'€'.repeat(73)}${run}`, `${'😀'.repeat(63)}abc`],
          [`${'€'.repeat(73)}${run}`, `${'😀'.repeat(63)}abd`],
        ];
        for (const [scope, key] of pairs) {
          expect(await fn.withResult({ scope, key })).toEqual({ value: `${scope}|${key}`, replayed: false });
        }
        for (const [scope, key] of pairs) {
          expect(await fn.withResult({ scope, key })).toEqual({ value: `${scope}|${key}`, replayed: true });
        }
        // One byte over the limit, with a multibyte character at the boundary: the typed 400, nothing written.
        const before = await subject.countRecords();
        await expect(fn({ scope: `a${run}`, key: `${'é'.repeat(127)}xy` })).rejects.toMatchObject({ field: 'key' });
        await expect(fn({ scope: `a${run}`, key: `${'x'.repeat(254)}é` })).rejects.toMatchObject({ field: 'key' });
        expect(await subject.countRecords()).toBe(before);
      });

      it('lease expiry: a second attempt runs, the first attempt late completion is rejected', async () => {
        const clock = fakeClock();
        const firstStarted = gate();
        const releaseFirst = gate();
        let runs = 0;
        const checkout = withIdempotency(
          async (_input: { key: string }) => {
            runs += 1;
            const run = runs;
            if (run === 1) {
              firstStarted.open();
              await releaseFirst.promise;
            }
            return { attempt: run };
          },
          { store, scope: scope(), key: (input) => input.key, inProgressLeaseMs: 10_000, now: clock.now },
        );
        const key = randomUUID();
        const first = checkout({ key }).catch((error: unknown) => error);
        await firstStarted.promise;
        clock.advance(10_000);
        expect(await checkout.withResult({ key })).toEqual({ value: { attempt: 2 }, replayed: false });
        releaseFirst.open();
        expect(await first).toBeInstanceOf(IdempotencyLeaseLostError);
        expect(await checkout.withResult({ key })).toEqual({ value: { attempt: 2 }, replayed: true });
      });

      it('a taken-over attempt that then fails does not release the new owner (Powertools #5675)', async () => {
        const clock = fakeClock();
        const started = [gate(), gate()];
        const finish = [gate<Error | undefined>(), gate<Error | undefined>()];
        let runs = 0;
        const checkout = withIdempotency(
          async (_input: { key: string }) => {
            const index = runs;
            runs += 1;
            started[index]?.open();
            const failure = await finish[index]?.promise;
            if (failure !== undefined) throw failure;
            return index;
          },
          { store, scope: scope(), key: (input) => input.key, inProgressLeaseMs: 10_000, now: clock.now },
        );
        const key = randomUUID();
        const first = checkout({ key }).catch((error: unknown) => error);
        await started[0]?.promise;
        clock.advance(10_000);
        const second = checkout({ key });
        await started[1]?.promise;
        const failure = new Error('gateway timeout');
        finish[0]?.open(failure);
        expect(await first).toBe(failure);
        // The owner is still in progress: the failed first attempt released nothing.
        await expect(checkout({ key })).rejects.toBeInstanceOf(IdempotencyInProgressError);
        finish[1]?.open(undefined);
        expect(await second).toBe(1);
        expect(runs).toBe(2);
      });

      it('TTL expiry lets the key run again', async () => {
        const clock = fakeClock();
        let runs = 0;
        const checkout = withIdempotency(async (_input: { key: string }) => ++runs, {
          store,
          scope: scope(),
          key: (input) => input.key,
          ttlSeconds: 60,
          inProgressLeaseMs: 5_000,
          now: clock.now,
        });
        const key = randomUUID();
        expect(await checkout({ key })).toBe(1);
        clock.advance(59_000);
        expect(await checkout({ key })).toBe(1);
        clock.advance(1_000);
        expect(await checkout({ key })).toBe(2);
      });

      it('rememberErrors: a declined payment is replayed as the same error; a transient error is not', async () => {
        class CardDeclinedError extends Error {
          readonly declineCode: string;
          constructor(declineCode: string) {
            super(`card declined: ${declineCode}`);
            this.name = 'CardDeclinedError';
            this.declineCode = declineCode;
          }
        }
        let runs = 0;
        const outcomes: Array<() => string> = [
          () => {
            throw new Error('provider timeout');
          },
          () => {
            throw new CardDeclinedError('insufficient_funds');
          },
          () => 'charged',
        ];
        const charge = withIdempotency(
          async (_input: { key: string }) => {
            const next = outcomes[runs];
            runs += 1;
            return next?.() ?? 'unexpected';
          },
          {
            store,
            scope: scope(),
            key: (input) => input.key,
            rememberErrors: (error) => error instanceof CardDeclinedError,
            reviveError: (remembered) =>
              remembered.name === 'CardDeclinedError'
                ? new CardDeclinedError(String(remembered.properties.declineCode))
                : new Error(remembered.message),
          },
        );
        const key = randomUUID();
        await expect(charge({ key })).rejects.toThrow('provider timeout');
        const declined = await charge({ key }).catch((error: unknown) => error);
        const replayed = await charge({ key }).catch((error: unknown) => error);
        expect(runs).toBe(2);
        expect(declined).toBeInstanceOf(CardDeclinedError);
        expect(replayed).toBeInstanceOf(CardDeclinedError);
        expect(replayed).toMatchObject({
          message: 'card declined: insufficient_funds',
          declineCode: 'insufficient_funds',
        });
      });

      it('two configurations on one shared store each keep their own options (Powertools #5409)', async () => {
        const clock = fakeClock();
        let shortRuns = 0;
        let longRuns = 0;
        const shared = { store, scope: scope(), now: clock.now, key: (input: { key: string }) => input.key };
        const short = withIdempotency(async (_input: { key: string }) => ++shortRuns, { ...shared, ttlSeconds: 10 });
        const long = withIdempotency(async (_input: { key: string }) => ++longRuns, { ...shared, ttlSeconds: 1000 });
        const shortKey = randomUUID();
        const longKey = randomUUID();
        await short({ key: shortKey });
        await long({ key: longKey });
        clock.advance(20_000);
        expect(await short({ key: shortKey })).toBe(2);
        expect(await long({ key: longKey })).toBe(1);
      });

      it('a result that cannot be stored (bigint) is a typed 500, and the retry does not run fn again', async () => {
        let runs = 0;
        const charge = withIdempotency(
          async (_input: { key: string }) => {
            runs += 1;
            return { chargeId: `ch-${runs}`, amountMinor: 1999n };
          },
          { store, scope: scope(), key: (input) => input.key },
        );
        const key = randomUUID();
        const first = await charge({ key }).catch((error: unknown) => error);
        const retry = await charge({ key }).catch((error: unknown) => error);
        expect(runs).toBe(1);
        for (const error of [first, retry]) {
          expect(error).toBeInstanceOf(IdempotencyResultUnserializableError);
          expect(toHttpResponse(error)).toMatchObject({ status: 500 });
          expect(JSON.parse(toHttpResponse(error)?.body ?? '{}').error.code).toBe('IDEMPOTENCY_RESULT_UNSERIALIZABLE');
        }
      });

      it('a result too large for the store is a typed 500, the key is kept, and no retry runs fn again', async () => {
        const limit = 4096;
        const limited = subject.withItemLimit?.(limit) ?? refusingResultsOver(store, limit);
        let runs = 0;
        const charge = (on: IdempotencyStore) =>
          withIdempotency(
            async (_input: { key: string }) => {
              runs += 1;
              return { chargeId: `ch-${runs}`, receipt: 'ü'.repeat(limit) };
            },
            { store: on, scope: 'big-results', key: (input) => input.key },
          );
        const key = randomUUID();
        const first = await charge(limited)({ key }).catch((error: unknown) => error);
        // The retry reads the same record through the store without a limit: the mark is stored.
        const retries = [
          await charge(limited)({ key }).catch((error: unknown) => error),
          await charge(store)({ key }).catch((error: unknown) => error),
          await charge(limited)
            .withResult({ key })
            .catch((error: unknown) => error),
        ];
        expect(runs).toBe(1);
        expect(first).toBeInstanceOf(IdempotencyResultTooLargeError);
        expect(first).toMatchObject({ limitBytes: limit });
        expect((first as IdempotencyResultTooLargeError).bytes).toBeGreaterThan(2 * limit);
        for (const error of [first, ...retries]) {
          expect(error).toBeInstanceOf(IdempotencyResultTooLargeError);
          expect(error).toMatchObject({
            code: 'IDEMPOTENCY_RESULT_TOO_LARGE',
            httpStatus: 500,
            bytes: (first as IdempotencyResultTooLargeError).bytes,
            limitBytes: limit,
          });
          const response = toHttpResponse(error);
          expect(response?.status).toBe(500);
          expect(JSON.parse(response?.body ?? '{}').error.code).toBe('IDEMPOTENCY_RESULT_TOO_LARGE');
        }
      });

      it('once: a too-large result is kept as lost, a duplicate delivery does not run the side effect again', async () => {
        const limited = subject.withItemLimit?.(4096) ?? refusingResultsOver(store, 4096);
        let sent = 0;
        const key = `receipt:${randomUUID()}:order-confirmation`;
        const send = async () => ({ messageId: `m-${++sent}`, body: 'x'.repeat(8192) });
        await expect(once(limited, key, send)).rejects.toBeInstanceOf(IdempotencyResultTooLargeError);
        await expect(once(limited, key, send)).rejects.toBeInstanceOf(IdempotencyResultTooLargeError);
        expect(sent).toBe(1);
      });

      it('once: a side effect runs once per key, a duplicate delivery is a replay', async () => {
        let sent = 0;
        const key = `receipt:${randomUUID()}:order-confirmation`;
        const first = await once(store, key, async () => ({ messageId: `m-${++sent}` }));
        const duplicate = await once(store, key, async () => ({ messageId: `m-${++sent}` }));
        expect(sent).toBe(1);
        expect(first).toEqual({ value: { messageId: 'm-1' }, replayed: false });
        expect(duplicate).toEqual({ value: { messageId: 'm-1' }, replayed: true });
      });
    });
  });
}
