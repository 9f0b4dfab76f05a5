// Inventory against a model (fast-check commands) on DynamoDB Local: reserve / commit / release /
// sweep / clock moves over a few SKUs and orders whose ids are generated unicode (some differ only
// in normalization). After every step the stock levels are the model's: conserved, never negative.
// Refused ids are a typed error naming the field, and change nothing.
import { isCheckoutError } from '@checkout/core';
import { propertyRuns } from '@checkout/testing/vitest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InventoryInputError,
  ReservationMismatchError,
  ReservationNotFoundError,
  ReservationStateError,
} from './errors.js';
import type { Inventory } from './inventory.js';
import { createTestInventory, type TestInventory } from './test-support/test-table.js';

/** No unpaired UTF-16 surrogate (String#isWellFormed, which lib ES2023 does not type). */
function wellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

let t: TestInventory;
// One clock for every run, a day ahead of the real time: DynamoDB Local deletes items whose TTL
// lies in the real past, which the model would not expect.
const clock = { now: Math.ceil(Date.now() / 1000) * 1000 + 86_400_000 };
let inventory: Inventory;
beforeAll(async () => {
  t = await createTestInventory({ maxAttempts: 20, backoff: { baseMs: 5, maxMs: 100 } });
  inventory = t.open({ now: () => clock.now });
});
afterAll(async () => {
  await t.drop();
});

type Status = 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';
interface Level {
  available: number;
  reserved: number;
  committed: number;
}
interface Model {
  readonly skus: readonly string[];
  readonly orders: readonly string[];
  readonly levels: Map<string, Level>;
  readonly reservations: Map<string, { lines: Map<string, number>; status: Status; until: number }>;
}
type Command = fc.AsyncCommand<Model, Inventory>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0001-\u001f\u007f]/;
/** Ids the documented rule accepts (short, so that prefixed ids stay far below 512 bytes). */
const idText = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    fc.constantFrom('e\u0301', '\u00e9', '\uFFFF', '\uFFFE', '\uFEFF', '\u{10FFFF}', 'A', 'a', '#', 'SKU#1'),
  )
  .filter((s) => s.length > 0 && wellFormed(s) && !s.includes('\u0000') && !CONTROL.test(s));
const badId = fc.constantFrom<unknown>(
  '',
  '\u0000',
  'x\uD800',
  '\uDC00',
  'a\u0001',
  'a\u007f',
  'é'.repeat(257),
  42,
  null,
);

function merged(lines: ReadonlyArray<{ sku: string; quantity: number }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const { sku, quantity } of lines) out.set(sku, (out.get(sku) ?? 0) + quantity);
  return out;
}
function sameLines(a: Map<string, number>, b: Map<string, number>): boolean {
  return a.size === b.size && [...a].every(([sku, n]) => b.get(sku) === n);
}
function level(model: Model, sku: string): Level {
  const found = model.levels.get(sku);
  if (found === undefined) throw new Error(`unknown sku ${sku}`);
  return found;
}

async function expectLevels(model: Model, real: Inventory): Promise<void> {
  const levels = await real.getAvailability(model.skus, { consistentRead: true });
  for (const sku of model.skus) {
    const expected = level(model, sku);
    expect(levels.get(sku), `stock of ${JSON.stringify(sku)}`).toEqual({ sku, ...expected });
    expect(expected.available).toBeGreaterThanOrEqual(0);
  }
}

class Reserve implements Command {
  constructor(
    readonly order: number,
    readonly lines: ReadonlyArray<{ sku: number; quantity: number }>,
    readonly holdMs: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Inventory): Promise<void> {
    const orderId = model.orders[this.order % model.orders.length] ?? '';
    const lines = this.lines.map((l) => ({ sku: model.skus[l.sku % model.skus.length] ?? '', quantity: l.quantity }));
    const wanted = merged(lines);
    const existing = model.reservations.get(orderId);
    const outcome = await real.reserve(orderId, lines, { holdMs: this.holdMs }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (existing !== undefined) {
      if (sameLines(existing.lines, wanted)) {
        expect(outcome).toMatchObject({
          value: { ok: true, replayed: true, reservation: { status: existing.status } },
        });
      } else {
        expect((outcome as { error?: unknown }).error).toBeInstanceOf(ReservationMismatchError);
      }
    } else if ([...wanted].every(([sku, n]) => level(model, sku).available >= n)) {
      expect(outcome).toMatchObject({ value: { ok: true, replayed: false, reservation: { status: 'PENDING' } } });
      for (const [sku, n] of wanted) {
        level(model, sku).available -= n;
        level(model, sku).reserved += n;
      }
      model.reservations.set(orderId, { lines: wanted, status: 'PENDING', until: clock.now + this.holdMs });
    } else {
      expect(outcome).toMatchObject({ value: { ok: false, reason: 'INSUFFICIENT_STOCK' } });
    }
    await expectLevels(model, real);
  }
  toString = () => `reserve(order#${this.order}, ${JSON.stringify(this.lines)}, hold ${this.holdMs})`;
}

class Settle implements Command {
  constructor(
    readonly operation: 'commit' | 'release',
    readonly order: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Inventory): Promise<void> {
    const orderId = model.orders[this.order % model.orders.length] ?? '';
    const reservation = model.reservations.get(orderId);
    const outcome = await real[this.operation](orderId).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const target: Status = this.operation === 'commit' ? 'COMMITTED' : 'RELEASED';
    if (reservation === undefined) {
      expect((outcome as { error?: unknown }).error).toBeInstanceOf(ReservationNotFoundError);
    } else if (reservation.status === 'PENDING') {
      expect(outcome).toEqual({ value: { orderId, status: target, changed: true } });
      for (const [sku, n] of reservation.lines) {
        level(model, sku).reserved -= n;
        if (target === 'COMMITTED') level(model, sku).committed += n;
        else level(model, sku).available += n;
      }
      reservation.status = target;
    } else if (reservation.status === target || (this.operation === 'release' && reservation.status === 'EXPIRED')) {
      expect(outcome).toEqual({ value: { orderId, status: reservation.status, changed: false } });
    } else {
      expect((outcome as { error?: unknown }).error).toBeInstanceOf(ReservationStateError);
    }
    await expectLevels(model, real);
  }
  toString = () => `${this.operation}(order#${this.order})`;
}

class Sweep implements Command {
  check = () => true;
  async run(model: Model, real: Inventory): Promise<void> {
    const result = await real.sweepExpired({ now: clock.now, limit: 1000 });
    expect(result.failed).toBe(0);
    for (const reservation of model.reservations.values()) {
      if (reservation.status !== 'PENDING' || reservation.until > clock.now) continue;
      for (const [sku, n] of reservation.lines) {
        level(model, sku).reserved -= n;
        level(model, sku).available += n;
      }
      reservation.status = 'EXPIRED';
    }
    await expectLevels(model, real);
  }
  toString = () => 'sweepExpired()';
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(): Promise<void> {
    clock.now += this.ms;
  }
  toString = () => `advance(${this.ms})`;
}

class ReserveBad implements Command {
  constructor(
    readonly badOrder: boolean,
    readonly bad: unknown,
  ) {}
  check = () => true;
  async run(model: Model, real: Inventory): Promise<void> {
    const sku = model.skus[0] ?? '';
    const orderId = this.badOrder ? this.bad : `${model.orders[0]}-unused`;
    const lines = [{ sku: this.badOrder ? sku : this.bad, quantity: 1 }];
    const error = await real.reserve(orderId as string, lines as never, { holdMs: 1000 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InventoryInputError);
    expect(isCheckoutError(error)).toBe(true);
    expect((error as InventoryInputError).field).toBe(this.badOrder ? 'orderId' : 'lines[0].sku');
    await expectLevels(model, real);
  }
  toString = () => `reserveBad(${this.badOrder ? 'orderId' : 'sku'} ${JSON.stringify(this.bad)})`;
}

const line = fc.record({ sku: fc.nat({ max: 2 }), quantity: fc.integer({ min: 1, max: 3 }) });
const commands = fc.commands(
  [
    fc
      .tuple(fc.nat({ max: 3 }), fc.array(line, { minLength: 1, maxLength: 3 }), fc.constantFrom(1000, 5000))
      .map(([o, lines, hold]): Command => new Reserve(o, lines, hold)),
    fc
      .tuple(fc.nat({ max: 3 }), fc.array(line, { minLength: 1, maxLength: 3 }), fc.constantFrom(1000, 5000))
      .map(([o, lines, hold]): Command => new Reserve(o, lines, hold)),
    fc
      .tuple(fc.constantFrom<'commit' | 'release'>('commit', 'release'), fc.nat({ max: 3 }))
      .map(([op, o]) => new Settle(op, o)),
    fc.constant(new Sweep()),
    fc.constantFrom(500, 1000, 3000).map((ms) => new Advance(ms)),
    fc.tuple(fc.boolean(), badId).map(([o, bad]) => new ReserveBad(o, bad)),
  ],
  { maxCommands: 15 },
);

let runs = 0;
describe('inventory (model)', () => {
  it('stock is conserved and never negative, and every call answers as the model does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(idText, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(idText, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }),
        commands,
        async (skuNames, orderNames, stock, list) => {
          runs += 1;
          clock.now += 1_000_000;
          const prefix = `p${runs}-${Math.random().toString(36).slice(2, 7)}:`;
          const skus = skuNames.map((name) => `${prefix}${name}`);
          const model: Model = {
            skus,
            orders: orderNames.map((name) => `${prefix}${name}`),
            levels: new Map(),
            reservations: new Map(),
          };
          for (const [i, sku] of skus.entries()) {
            const available = stock[i] ?? 0;
            await inventory.setStock(sku, available);
            model.levels.set(sku, { available, reserved: 0, committed: 0 });
          }
          await fc.asyncModelRun(() => ({ model, real: inventory }), list);
        },
      ),
      { numRuns: propertyRuns(10) },
    );
  });
});
