// Model-based property of the IdempotencyStore contract (fast-check commands): one run is a random
// sequence of acquire / complete / release / clock moves / expiry sweeps on a few keys, checked
// step by step against a plain in-memory model of the contract. The memory, DynamoDB and Postgres
// property files run the same commands; only the way a fresh store is made differs.
import { isCheckoutError } from '@checkout/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { IdempotencyKeyError, IdempotencyLeaseLostError, IdempotencyResultUnserializableError } from '../errors.js';
import type { IdempotencyRecord, IdempotencyStore } from '../store/idempotency-store.js';

/** No unpaired UTF-16 surrogate (String#isWellFormed, which lib ES2023 does not type). */
function wellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** One store for one run; keys are prefixed with `prefix` so runs on a shared table stay apart. */
export interface ModelRunStore {
  readonly store: IdempotencyStore;
  /** How many records with this run's prefix the backend holds (expired ones included). */
  countRecords(): Promise<number>;
  /** Deletes the records expired at the run's clock (Postgres `deleteExpired`); returns how many. */
  deleteExpired?(): Promise<number>;
  /**
   * DynamoDB: a retried `complete` of the same outcome by the same token succeeds (a lost response
   * is not a lost lease). The other stores answer `IdempotencyLeaseLostError`; both change nothing.
   */
  readonly repeatedCompleteSucceeds: boolean;
}

/**
 * Makes the store of one run; `now` is that run's clock (epoch ms), moved by the commands; `keys`
 * are every key the run's valid commands use (prefix included).
 */
export type ModelRunStoreFactory = (
  prefix: string,
  now: () => number,
  keys: readonly string[],
) => Promise<ModelRunStore>;

interface ModelRecord {
  status: 'in_progress' | 'completed';
  fingerprint: string;
  leaseToken: string;
  leaseExpiresAt: number;
  expiresAt: number;
  outcome?: 'value' | 'error';
  result?: string;
}

interface Model {
  readonly prefix: string;
  readonly clock: { now: number };
  readonly records: Map<string, ModelRecord>;
  /** Tokens handed out per key, so completes and releases can present old and current ones. */
  readonly issued: Map<string, string[]>;
  tokens: number;
}

interface Real {
  readonly run: ModelRunStore;
}

type Command = fc.AsyncCommand<Model, Real>;

const FINGERPRINTS = ['a'.repeat(64), 'b'.repeat(64)] as const;

/** Well-formed text without U+0000: what a store must keep byte for byte. */
export const storableText = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('e\u0301', '\u00e9', '\uFFFE', '\uFFFF', '\uFFFD', '\uFEFF', '\u{10FFFF}', '😀', '"\\\'', ''),
  )
  .filter((text) => wellFormed(text) && !text.includes('\u0000'));

/** Text a store must refuse: an unpaired surrogate or U+0000 somewhere. */
export const unstorableText = fc
  .tuple(
    fc.string({ maxLength: 5 }),
    fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uDBFF'),
    fc.string({ maxLength: 5 }),
  )
  .map(([a, bad, b]) => `${a}${bad}${b}`);

/** The control characters the key rule refuses (C0, DEL, C1, U+2028, U+2029). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Key text the key rule accepts (a few bytes, so a stored key stays far below 1024 bytes). */
export const keyText = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.constantFrom(
      'e\u0301',
      '\u00e9',
      '\uFFFE',
      '\uFFFF',
      '\uFFFD',
      '\uFEFF',
      '\u{10FFFF}',
      '\u{10FFFE}',
      '\u200B',
      'K',
      'k',
    ),
  )
  .filter((text) => text.length > 0 && wellFormed(text) && !CONTROL.test(text));

function keyOf(model: Model, index: number, pool: readonly string[]): string {
  return `${model.prefix}${pool[index % pool.length]}`;
}

function newToken(model: Model, key: string): string {
  model.tokens += 1;
  const token = `${model.prefix}t${model.tokens}`;
  const list = model.issued.get(key) ?? [];
  list.push(token);
  model.issued.set(key, list);
  return token;
}

function pickToken(model: Model, key: string, pick: number): string {
  const list = model.issued.get(key) ?? [];
  // Past the end: a token this key never had.
  return list[pick] ?? `${model.prefix}never${pick}`;
}

/** The fields of a stored record, `undefined` ones dropped (stores differ in how they spell "absent"). */
function plain(record: IdempotencyRecord | (ModelRecord & { key: string })): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({
      key: record.key,
      status: record.status,
      fingerprint: record.fingerprint,
      leaseToken: record.leaseToken,
      leaseExpiresAt: record.leaseExpiresAt,
      expiresAt: record.expiresAt,
      outcome: record.outcome,
      result: record.result,
    }).filter(([, value]) => value !== undefined && value !== null),
  );
}

function modelTakesKey(model: Model, key: string, fingerprint: string): boolean {
  const record = model.records.get(key);
  if (record === undefined || record.expiresAt <= model.clock.now) return true;
  return (
    record.status === 'in_progress' && record.leaseExpiresAt <= model.clock.now && record.fingerprint === fingerprint
  );
}

async function expectUnchangedCount(model: Model, real: Real): Promise<void> {
  expect(await real.run.countRecords()).toBe(model.records.size);
}

class Acquire implements Command {
  constructor(
    readonly pool: readonly string[],
    readonly keyIndex: number,
    readonly fingerprintIndex: 0 | 1,
    readonly leaseMs: number,
    readonly ttlMs: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const key = keyOf(model, this.keyIndex, this.pool);
    const fingerprint = FINGERPRINTS[this.fingerprintIndex];
    const leaseToken = newToken(model, key);
    const now = model.clock.now;
    const request = {
      key,
      fingerprint,
      leaseToken,
      leaseExpiresAt: now + this.leaseMs,
      expiresAt: now + this.ttlMs,
      now,
    };
    const result = await real.run.store.acquire(request);
    if (modelTakesKey(model, key, fingerprint)) {
      expect(result).toEqual({ acquired: true });
      model.records.set(key, {
        status: 'in_progress',
        fingerprint,
        leaseToken,
        leaseExpiresAt: request.leaseExpiresAt,
        expiresAt: request.expiresAt,
      });
    } else {
      const record = model.records.get(key);
      expect(result.acquired).toBe(false);
      if (result.acquired || record === undefined) return;
      // What blocked us is exactly what the model holds: same key, same token, same result text.
      expect(plain(result.existing)).toEqual(plain({ key, ...record }));
    }
  }
  toString = () =>
    `acquire(${JSON.stringify(this.pool[this.keyIndex % this.pool.length])}, fp#${this.fingerprintIndex}, lease ${this.leaseMs}, ttl ${this.ttlMs})`;
}

class Complete implements Command {
  constructor(
    readonly pool: readonly string[],
    readonly keyIndex: number,
    readonly tokenPick: number,
    readonly outcome: 'value' | 'error',
    readonly result: string,
    readonly ttlMs: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const key = keyOf(model, this.keyIndex, this.pool);
    const leaseToken = pickToken(model, key, this.tokenPick);
    const expiresAt = model.clock.now + this.ttlMs;
    const record = model.records.get(key);
    const holds = record !== undefined && record.status === 'in_progress' && record.leaseToken === leaseToken;
    const outcome = await real.run.store
      .complete({ key, leaseToken, outcome: this.outcome, result: this.result, expiresAt })
      .then(
        () => 'ok' as const,
        (error: unknown) => error,
      );
    if (holds) {
      expect(outcome).toBe('ok');
      Object.assign(record, { status: 'completed', outcome: this.outcome, result: this.result, expiresAt });
      return;
    }
    const ownRepeat =
      record !== undefined &&
      record.status === 'completed' &&
      record.leaseToken === leaseToken &&
      record.result === this.result;
    if (ownRepeat && real.run.repeatedCompleteSucceeds && outcome === 'ok') return;
    expect(outcome).toBeInstanceOf(IdempotencyLeaseLostError);
  }
  toString = () =>
    `complete(${JSON.stringify(this.pool[this.keyIndex % this.pool.length])}, token#${this.tokenPick}, ${this.outcome}, ${JSON.stringify(this.result)}, ttl ${this.ttlMs})`;
}

class CompleteUnstorable implements Command {
  constructor(
    readonly pool: readonly string[],
    readonly keyIndex: number,
    readonly tokenPick: number,
    readonly result: string,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const key = keyOf(model, this.keyIndex, this.pool);
    const leaseToken = pickToken(model, key, this.tokenPick);
    const error = await real.run.store
      .complete({ key, leaseToken, outcome: 'value', result: this.result, expiresAt: model.clock.now + 1000 })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(IdempotencyResultUnserializableError);
    expect(isCheckoutError(error)).toBe(true);
    await expectUnchangedCount(model, real);
  }
  toString = () => `completeUnstorable(key#${this.keyIndex}, ${JSON.stringify(this.result)})`;
}

class Release implements Command {
  constructor(
    readonly pool: readonly string[],
    readonly keyIndex: number,
    readonly tokenPick: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const key = keyOf(model, this.keyIndex, this.pool);
    const leaseToken = pickToken(model, key, this.tokenPick);
    const record = model.records.get(key);
    const holds = record !== undefined && record.status === 'in_progress' && record.leaseToken === leaseToken;
    expect(await real.run.store.release({ key, leaseToken })).toBe(holds);
    if (holds) model.records.delete(key);
  }
  toString = () => `release(${JSON.stringify(this.pool[this.keyIndex % this.pool.length])}, token#${this.tokenPick})`;
}

class AcquireBadKey implements Command {
  constructor(readonly key: unknown) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const now = model.clock.now;
    const error = await real.run.store
      .acquire({
        key: this.key as string,
        fingerprint: FINGERPRINTS[0],
        leaseToken: `${model.prefix}bad`,
        leaseExpiresAt: now + 1000,
        expiresAt: now + 1000,
        now,
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(IdempotencyKeyError);
    expect(error).toMatchObject({ field: 'key', httpStatus: 400 });
    await expectUnchangedCount(model, real);
  }
  toString = () => `acquireBadKey(${JSON.stringify(this.key)})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model): Promise<void> {
    model.clock.now += this.ms;
  }
  toString = () => `advance(${this.ms})`;
}

class Count implements Command {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await expectUnchangedCount(model, real);
  }
  toString = () => 'count()';
}

class Sweep implements Command {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    if (real.run.deleteExpired === undefined) return;
    const expired = [...model.records].filter(([, record]) => record.expiresAt <= model.clock.now);
    expect(await real.run.deleteExpired()).toBeGreaterThanOrEqual(expired.length);
    for (const [key] of expired) model.records.delete(key);
    await expectUnchangedCount(model, real);
  }
  toString = () => 'deleteExpired()';
}

/** Keys a store must refuse: not strings, empty, control characters, unpaired surrogates, over 1024 bytes. */
const badKey: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    'tenant\uD800',
    '\uDC00x',
    'a\u2028',
    'a\u007f',
    'a\u0085',
    'x'.repeat(1025),
  ),
  unstorableText,
  fc.string({ minLength: 1, maxLength: 4 }).map((s) => `${s}\n`),
  fc.constantFrom(undefined, null, 42, {}, []),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 4 })
    .map((s) => s.repeat(1 + Math.ceil(1025 / Buffer.byteLength(s)))),
);

/** The command list of one run over `pool` (distinct keys, some that differ only in normalization). */
function commandsOver(pool: readonly string[]): fc.Arbitrary<Iterable<Command>> {
  const keyIndex = fc.nat({ max: pool.length - 1 });
  const tokenPick = fc.nat({ max: 4 });
  const ms = (values: number[]) => fc.constantFrom(...values);
  const acquire = fc
    .tuple(keyIndex, fc.constantFrom<0 | 1>(0, 1), ms([1000, 5000]), ms([2000, 8000, 30_000]))
    .map(([k, f, lease, ttl]): Command => new Acquire(pool, k, f, lease, ttl));
  const complete = fc
    .tuple(keyIndex, tokenPick, fc.constantFrom<'value' | 'error'>('value', 'error'), storableText, ms([2000, 30_000]))
    .map(([k, t, o, r, ttl]): Command => new Complete(pool, k, t, o, r, ttl));
  const advance = ms([0, 999, 1000, 1001, 4000, 10_000, 31_000]).map((step): Command => new Advance(step));
  // Listed more than once: fast-check picks an entry uniformly, and the interesting states need
  // many acquires and completes.
  return fc.commands(
    [
      acquire,
      acquire,
      acquire,
      acquire,
      complete,
      complete,
      complete,
      advance,
      advance,
      fc.tuple(keyIndex, tokenPick).map(([k, t]) => new Release(pool, k, t)),
      fc.tuple(keyIndex, tokenPick, unstorableText).map(([k, t, r]) => new CompleteUnstorable(pool, k, t, r)),
      badKey.map((key) => new AcquireBadKey(key)),
      fc.constant(new Count()),
      fc.constant(new Sweep()),
    ],
    { maxCommands: 40, size: 'medium' },
  );
}

/**
 * Runs the contract model against stores made by `factory`, `numRuns` times. Runs share one
 * monotonic clock that starts a day ahead of the real time (DynamoDB Local deletes items whose TTL
 * lies in the real past, which the model would not expect).
 */
export async function checkStoreAgainstModel(factory: ModelRunStoreFactory, numRuns: number): Promise<void> {
  const clock = { now: Math.ceil(Date.now() / 1000) * 1000 + 86_400_000 };
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc
        .uniqueArray(keyText, { minLength: 1, maxLength: 3 })
        .chain((pool) => commandsOver(pool).map((commands) => ({ pool, commands }))),
      async ({ pool, commands }) => {
        runs += 1;

        clock.now += 1_000_000;
        const prefix = `r${runs}-${Math.random().toString(36).slice(2, 8)}|`;
        const run = await factory(
          prefix,
          () => clock.now,
          pool.map((key) => `${prefix}${key}`),
        );
        const model: Model = { prefix, clock, records: new Map(), issued: new Map(), tokens: 0 };
        await fc.asyncModelRun(() => ({ model, real: { run } }), commands);
      },
    ),
    { numRuns },
  );
}
