// Properties of withIdempotency on the memory store over generated keys, scopes, payloads and
// results, and the race of two callers on one key with a lease expiry in between (fc.scheduler).
import { isCheckoutError } from '@checkout/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMemoryIdempotencyStore,
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyKeyReuseError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadError,
  IdempotencyResultUnserializableError,
  withIdempotency,
} from '../index.js';

/** No unpaired UTF-16 surrogate (String#isWellFormed, which lib ES2023 does not type). */
function wellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The documented key and scope rule: 1 to 255 UTF-8 bytes, well-formed, no control characters. */
function keyAccepted(text: string): boolean {
  return text.length > 0 && wellFormed(text) && !CONTROL.test(text) && Buffer.byteLength(text, 'utf8') <= 255;
}

const edge = fc.constantFrom(
  '\u0000',
  '\uD800',
  '\uDC00',
  '\u2028',
  '\u0085',
  '\u007f',
  '\uFFFF',
  '\uFEFF',
  'é',
  '😀',
  ':',
  '',
);
const anyKeyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc
    .array(fc.oneof(edge, fc.string({ unit: 'binary', maxLength: 2 })), { maxLength: 6 })
    .map((parts) => parts.join('')),
  // Around the byte limit: 255 bytes of 1-, 2-, 3- and 4-byte characters, give or take one.
  fc
    .tuple(fc.constantFrom('a', 'é', '€', '😀'), fc.integer({ min: -1, max: 1 }))
    .map(([char, delta]) => char.repeat(Math.floor(255 / Buffer.byteLength(char)) + delta)),
);

describe('withIdempotency keys and scopes (property)', () => {
  it('a key or scope is refused with IdempotencyKeyError naming it, before anything runs or is written, exactly when the rule says so', async () => {
    await fc.assert(
      fc.asyncProperty(anyKeyText, anyKeyText, async (scope, key) => {
        const store = createMemoryIdempotencyStore();
        let runs = 0;
        const wrapped = withIdempotency(
          async () => {
            runs += 1;
            return 'ran';
          },
          { store, scope, key: () => key },
        );
        const outcome = await wrapped().then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if (keyAccepted(scope) && keyAccepted(key)) {
          expect(outcome).toEqual({ value: 'ran' });
          expect(store.size).toBe(1);
          return;
        }
        expect(outcome).toHaveProperty('error');
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(IdempotencyKeyError);
        expect(isCheckoutError(error)).toBe(true);
        expect((error as IdempotencyKeyError).field).toBe(keyAccepted(scope) ? 'key' : 'scope');
        expect((error as IdempotencyKeyError).httpStatus).toBe(400);
        expect(runs).toBe(0);
        expect(store.size).toBe(0);
      }),
    );
  });

  it('two different (scope, key) pairs never share a record', async () => {
    const valid = anyKeyText.filter(keyAccepted);
    await fc.assert(
      fc.asyncProperty(fc.tuple(valid, valid), fc.tuple(valid, valid), async (a, b) => {
        fc.pre(a[0] !== b[0] || a[1] !== b[1]);
        const store = createMemoryIdempotencyStore();
        const wrapped = withIdempotency(async (value: string) => value, {
          store,
          scope: (value) => (value === 'a' ? a[0] : b[0]),
          key: (value) => (value === 'a' ? a[1] : b[1]),
          fingerprint: () => 'same payload',
        });
        expect(await wrapped.withResult('a')).toEqual({ value: 'a', replayed: false });
        expect(await wrapped.withResult('b')).toEqual({ value: 'b', replayed: false });
        expect(await wrapped.withResult('a')).toEqual({ value: 'a', replayed: true });
        expect(store.size).toBe(2);
      }),
    );
  });
});

/**
 * "The same content" as the fingerprint rules define it, written independently: sorted keys, Map
 * and Set order ignored, tags for Map/Set/Date/bigint/undefined, NaN/-0/Infinity as themselves,
 * array holes as undefined.
 */
function content(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'n';
  switch (typeof value) {
    case 'boolean':
      return `b${value}`;
    case 'number':
      return Object.is(value, -0) ? 'd-0' : `d${String(value)}`;
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'bigint':
      return `i${value}`;
    default:
      break;
  }
  if (value instanceof Date) return `t${Number.isNaN(value.getTime()) ? 'NaN' : value.getTime()}`;
  if (value instanceof Map) {
    return `M{${[...value]
      .map(([k, v]) => `${content(k)}=>${content(v)}`)
      .sort()
      .join(',')}}`;
  }
  if (value instanceof Set) return `S{${[...value].map(content).sort().join(',')}}`;
  if (Array.isArray(value)) return `[${Array.from({ length: value.length }, (_, i) => content(value[i])).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${content(record[k])}`)
    .join(',')}}`;
}

/** A few values that are easy to confuse: same JSON, same string, same number, different content. */
const confusable = fc.constantFrom<unknown>(
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  undefined,
  '0',
  '',
  0n,
  false,
  new Date(0),
  new Date(Number.NaN),
  '\uD800',
  '\uFFFD',
  '1970-01-01T00:00:00.000Z',
);
const primitive = fc.oneof(
  confusable,
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.boolean(),
);
const mapKey = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom<unknown>(null, 0n, -0),
);
const { payload } = fc.letrec<{ payload: unknown }>((tie) => ({
  payload: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('payload'), { maxLength: 3 }),
    fc.sparseArray(confusable, { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 3 }), tie('payload'), { maxKeys: 3 }),
    fc.array(fc.tuple(mapKey, tie('payload')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(fc.oneof(mapKey, confusable), { maxLength: 3 }).map((items) => new Set(items)),
  ),
}));
/** Small payloads from a small domain, so that equal and nearly equal pairs are common. */
const smallPayload = fc.oneof(
  confusable,
  fc.array(confusable, { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('a', 'b'), confusable, { maxKeys: 2 }),
  fc.array(fc.tuple(fc.constantFrom('a', 0), confusable), { maxLength: 2 }).map((entries) => new Map(entries)),
  fc.array(confusable, { maxLength: 2 }).map((items) => new Set(items)),
);

describe('withIdempotency fingerprints (property)', () => {
  it('a retry replays exactly when its payload has the same content, and is refused with 422 otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.tuple(payload, payload), fc.tuple(smallPayload, smallPayload)),
        async ([first, second]) => {
          const store = createMemoryIdempotencyStore();
          let runs = 0;
          const wrapped = withIdempotency(
            async (_payload: unknown) => {
              runs += 1;
              return runs;
            },
            { store, scope: 'fp', key: () => 'one-key' },
          );
          expect(await wrapped(first)).toBe(1);
          const retry = await wrapped(second).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          // A bare undefined payload counts as null (documented); inside a value undefined is its own.
          const top = (value: unknown) => content(value === undefined ? null : value);
          if (top(first) === top(second)) expect(retry).toEqual({ value: 1 });
          else expect((retry as { error?: unknown }).error).toBeInstanceOf(IdempotencyKeyReuseError);
          expect(runs).toBe(1);
          expect(store.size).toBe(1);
        },
      ),
    );
  });

  it('a payload without defined content (cycle, class instance, function, symbol) is a 400 naming the path, before anything runs or is written', async () => {
    class Cart {
      readonly id = 'c';
    }
    const hostile = fc.constantFrom<() => unknown>(
      () => {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        return cycle;
      },
      () => new Cart(),
      () => () => 1,
      () => Symbol('s'),
      () => new Error('x'),
      () => /re/u,
      () => ({ [Symbol('k')]: 1 }),
      () => ({ toJSON: () => 1 }),
    );
    await fc.assert(
      fc.asyncProperty(
        hostile,
        fc.array(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 3 }),
        async (make, path) => {
          // The hostile value sits at a generated path inside plain objects.
          const payload = path.reduceRight<unknown>((inner, name) => ({ [name]: inner }), make());
          const store = createMemoryIdempotencyStore();
          let runs = 0;
          const wrapped = withIdempotency(
            async (_payload: unknown) => {
              runs += 1;
            },
            { store, scope: 'fp', key: () => 'k' },
          );
          const error = await wrapped(payload).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(IdempotencyPayloadError);
          expect((error as IdempotencyPayloadError).httpStatus).toBe(400);
          expect((error as Error).message).toContain('$');
          expect(runs).toBe(0);
          expect(store.size).toBe(0);
        },
      ),
    );
  });
});

/** What the default serializer promises for a result: refused, or stored as JSON keeps it. */
function strictJsonProblem(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return false;
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object') return true; // bigint, function, symbol (undefined is handled by the caller)
  if (seen.has(value)) return true;
  seen.add(value);
  try {
    if (value instanceof Date) return false;
    if (Array.isArray(value)) return value.some((item) => item !== undefined && strictJsonProblem(item, seen));
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return true;
    return Object.values(value).some((item) => item !== undefined && strictJsonProblem(item, seen));
  } finally {
    seen.delete(value);
  }
}

const result = fc.oneof(
  fc.jsonValue(),
  payload,
  fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.constant(undefined)), { maxKeys: 3 }),
);

describe('withIdempotency results (property)', () => {
  it('a result is stored as JSON and replayed as the first caller got it, or refused on the first call and every retry without running fn again', async () => {
    await fc.assert(
      fc.asyncProperty(result, async (value) => {
        const store = createMemoryIdempotencyStore();
        let runs = 0;
        const wrapped = withIdempotency(
          async () => {
            runs += 1;
            return value;
          },
          { store, scope: 'results', key: () => 'k' },
        );
        const first = await wrapped.withResult().then(
          (answer) => ({ answer }),
          (error: unknown) => ({ error }),
        );
        const replay = await wrapped.withResult().then(
          (answer) => ({ answer }),
          (error: unknown) => ({ error }),
        );
        expect(runs).toBe(1);
        if (value !== undefined && strictJsonProblem(value)) {
          expect((first as { error?: unknown }).error).toBeInstanceOf(IdempotencyResultUnserializableError);
          expect((replay as { error?: unknown }).error).toBeInstanceOf(IdempotencyResultUnserializableError);
          return;
        }
        // JSON's shape: toJSON applied (Date -> ISO text), undefined properties left out, undefined array
        // items as null, -0 as 0 (the first caller gets that shape too).
        const stored = value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
        expect(first).toEqual({ answer: { value: stored, replayed: false } });
        expect(replay).toEqual({ answer: { value: stored, replayed: true } });
      }),
    );
  });
});

describe('withIdempotency race (fc.scheduler)', () => {
  it('two callers on one key with the lease expiring in between: at most one result is stored, every caller that gets a value gets that one, the other a typed 409', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, sameStart) => {
        const store = createMemoryIdempotencyStore();
        let now = 1_000_000;
        let runs = 0;
        const wrapped = withIdempotency(
          async (caller: string) => {
            runs += 1;
            const run = runs;
            // Two pauses the scheduler may fill with the other caller and the clock.
            await s.schedule(Promise.resolve(), `${caller} working`);
            await s.schedule(Promise.resolve(), `${caller} finishing`);
            return `${caller}#${run}`;
          },
          {
            store,
            scope: 'race',
            key: () => 'one-key',
            fingerprint: () => 'same payload',
            inProgressLeaseMs: 1000,
            now: () => now,
          },
        );
        const settle = (promise: Promise<unknown>) =>
          promise.then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        const a = settle(s.schedule(Promise.resolve(), 'A starts').then(() => wrapped('A')));
        const b = settle(
          (sameStart ? Promise.resolve() : s.schedule(Promise.resolve(), 'B starts')).then(() => wrapped('B')),
        );
        const expire = s.schedule(Promise.resolve(), 'lease expires').then(() => {
          now += 1001;
        });
        await s.waitAll();
        const outcomes = await Promise.all([a, b, expire]).then(([x, y]) => [x, y]);
        const values = outcomes.flatMap((o) => ('value' in o ? [o.value] : []));
        for (const outcome of outcomes) {
          if ('error' in outcome) {
            const error = outcome.error;
            const typed = error instanceof IdempotencyInProgressError || error instanceof IdempotencyLeaseLostError;
            expect(typed, String(error)).toBe(true);
            expect((error as { httpStatus: number }).httpStatus).toBe(409);
          }
        }
        // Every caller that got a value got the stored one; a later call replays it.
        expect(new Set(values).size).toBeLessThanOrEqual(1);
        expect(runs).toBeLessThanOrEqual(2);
        now += 10_000;
        const later = await s.waitFor(settle(wrapped.withResult('C')));
        if (values.length > 0) expect(later).toEqual({ value: { value: values[0], replayed: true } });
        expect(store.size).toBe(1);
      }),
    );
  });
});
