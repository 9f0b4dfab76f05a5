import { describe, expect, it } from 'vitest';
import { IdempotencyPayloadError } from '../errors.js';
import { fingerprintOf } from './fingerprint.js';

describe('fingerprintOf', () => {
  it('ignores object key order at every depth', () => {
    expect(fingerprintOf({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(fingerprintOf({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  });

  it('tells different payloads apart, including array order and types', () => {
    expect(fingerprintOf({ amount: 100 })).not.toBe(fingerprintOf({ amount: 101 }));
    expect(fingerprintOf([1, 2])).not.toBe(fingerprintOf([2, 1]));
    expect(fingerprintOf({ amount: 100 })).not.toBe(fingerprintOf({ amount: '100' }));
  });

  it('is a SHA-256 hex digest; undefined counts as null', () => {
    expect(fingerprintOf(null)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(undefined)).toBe(fingerprintOf(null));
  });

  it('rejects payloads without a canonical JSON form with a typed 400 error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => fingerprintOf(cyclic)).toThrow(IdempotencyPayloadError);
    expect(() => fingerprintOf(() => 1)).toThrow(IdempotencyPayloadError);
    expect(() => fingerprintOf(Symbol('x'))).toThrow(/no JSON form/);
  });
});

// Fingerprints of 0.1.0 (safe-stable-stringify, sorted keys): plain JSON payloads must keep them, so
// a record stored before an upgrade still replays instead of answering 422.
describe('fingerprintOf: plain JSON keeps the 0.1.0 fingerprint', () => {
  it.each([
    [null, '74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b'],
    [true, 'b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b'],
    [0, '5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9'],
    [1.5, '9f29a130438b81170b92a42650f9a94291ecad60bd47af2a3886e75f7f728725'],
    [-12, '7ed00270e394c3e190d18a977f5d0e1ed889bdc03a637e8fe35f00946841b0bf'],
    [1e21, '241c4643fa70b1dcde1205b71be4e3bebb17e9f880c8e1a33d0ead6c27271d3c'],
    ['', '12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126'],
    ['ünï "q" \\ \n', '6202ad289d3a927f8a1900c81a1a9e65aeeac2efa7edd868569060e5389bf22e'],
    ['\u2028\u007f\u0000', 'b0d5688b0cfb37c044a8e90f4c71b8ba1d66f8c64f6efd62a8ccb6e19e784fdf'],
    [[], '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'],
    [{}, '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'],
    [[1, 'a', null, [2]], 'e13796b276749312b0feb7ea21e1ba81f6bf97680a6854268ab3e3379a4551e9'],
    [
      { b: 2, a: 1, nested: { z: [1, { y: 'ü', x: false }], é: 3, A: 4, '': 5 } },
      'd5bab3aecc7daf7984f2d1b9746848d82b251b115f9190f09f6b609a3e0e89c6',
    ],
    [
      { cartId: 'c-1', lines: [{ sku: 'sku-1', qty: 2 }], amountMinor: 1999, currency: 'EUR' },
      'dcab3d1cf9c0c801d941f637b946ef971069afd31cd850fe37330f1228590ef3',
    ],
    [{ '\u{1F600}': '\u{1F600}', 'a\u0301': 1 }, '512f1ffe03c7a44a8afb734d86809b432452a7a832730f76149796b7af8f0705'],
  ])('%j', (payload, fingerprint) => {
    expect(fingerprintOf(payload)).toBe(fingerprint);
  });
});

describe('fingerprintOf: values JSON cannot tell apart are fingerprinted by content, with type tags', () => {
  const distinct = (...payloads: unknown[]) => {
    const prints = payloads.map((payload) => fingerprintOf(payload));
    expect(new Set(prints).size).toBe(payloads.length);
  };

  it('Map: by its entries (any order), never equal to an object or array of the same entries', () => {
    const cart = new Map([
      ['sku-1', 1],
      ['sku-2', 2],
    ]);
    const other = new Map([
      ['sku-1', 1],
      ['sku-2', 3],
    ]);
    distinct(cart, other, new Map(), { 'sku-1': 1, 'sku-2': 2 }, [
      ['sku-1', 1],
      ['sku-2', 2],
    ]);
    expect(
      fingerprintOf(
        new Map([
          ['sku-2', 2],
          ['sku-1', 1],
        ]),
      ),
    ).toBe(fingerprintOf(cart));
    expect(fingerprintOf({ cart })).not.toBe(fingerprintOf({ cart: other }));
    distinct(new Map([[1, 'a']]), new Map([['1', 'a']]), new Map([[{ id: 1 }, 'a']]), new Map([[{ id: 2 }, 'a']]));
  });

  it('Set: by its elements (any order), never equal to an array', () => {
    distinct(new Set(['a', 'b']), new Set(['a', 'c']), new Set(), ['a', 'b'], {});
    expect(fingerprintOf(new Set(['b', 'a']))).toBe(fingerprintOf(new Set(['a', 'b'])));
    expect(fingerprintOf(new Set([1]))).not.toBe(fingerprintOf(new Set(['1'])));
  });

  it('Date: by its time, never equal to its ISO string; invalid dates are one value', () => {
    distinct(new Date(0), new Date(1), '1970-01-01T00:00:00.000Z', 0, new Date(Number.NaN));
    expect(fingerprintOf({ at: new Date(5) })).toBe(fingerprintOf({ at: new Date(5) }));
  });

  it('bigint: never equal to the number or string with the same digits', () => {
    distinct(10n, 10, '10', -10n, { amount: 10n }, { amount: 10 });
  });

  it('undefined vs missing vs null: three payloads (a bare undefined still means "no payload", like null)', () => {
    distinct({ coupon: undefined }, {}, { coupon: null });
    distinct([undefined], [null], []);
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is being tested
    expect(fingerprintOf([, 1])).toBe(fingerprintOf([undefined, 1]));
    expect(fingerprintOf(undefined)).toBe(fingerprintOf(null));
  });

  it('NaN, Infinity, -Infinity and -0 are their own values, not null or 0', () => {
    distinct(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, 0, -0, 'NaN', 'Infinity');
    distinct({ qty: Number.NaN }, { qty: null }, { qty: -0 }, { qty: 0 });
  });

  it('typed arrays, ArrayBuffer and DataView: by kind and bytes', () => {
    distinct(
      new Uint8Array([1, 2]),
      new Uint8Array([1, 3]),
      new Int8Array([1, 2]),
      new Uint16Array([1, 2]),
      new Uint8Array([1, 2]).buffer,
      new DataView(new Uint8Array([1, 2]).buffer),
      [1, 2],
      { 0: 1, 1: 2 },
    );
    expect(fingerprintOf(Buffer.from([1, 2]))).toBe(fingerprintOf(new Uint8Array([1, 2])));
    expect(fingerprintOf(new Uint8Array([9, 1, 2]).subarray(1))).toBe(fingerprintOf(new Uint8Array([1, 2])));
  });

  it('strings that differ only in an unpaired surrogate stay apart', () => {
    distinct('a\uD800', 'a\uDBFF', 'a\uFFFD', { k: 'a\uD800' }, { k: 'a\uDBFF' });
  });

  it('shared (acyclic) references are fine', () => {
    const line = { sku: 'a' };
    expect(fingerprintOf([line, line])).toBe(fingerprintOf([{ sku: 'a' }, { sku: 'a' }]));
  });
});

describe('fingerprintOf: values without a defined content are refused with the typed 400', () => {
  class Cart {
    readonly #secret: number;
    constructor(secret: number) {
      this.#secret = secret;
    }
    get secret() {
      return this.#secret;
    }
  }
  it.each([
    ['a class instance', { cart: new Cart(1) }, /\$\.cart: a Cart instance/],
    ['an Error', new Error('x'), /an Error instance/],
    ['a RegExp', /a/, /a RegExp instance/],
    ['a boxed string', Object('x'), /a String instance/],
    ['a Promise', Promise.resolve(1), /a Promise instance/],
    ['a WeakMap', new WeakMap(), /a WeakMap instance/],
    ['a function', { fn: () => 1 }, /\$\.fn: a function/],
    ['a symbol value', [Symbol('x')], /\$\[0\]: a symbol/],
    ['a symbol key', { [Symbol('k')]: 1 }, /symbol key/],
    ['an object with toJSON', { at: { toJSON: () => 'x' } }, /\$\.at\.toJSON: a function/],
  ])('%s', (_label, payload, message) => {
    let caught: unknown;
    try {
      fingerprintOf(payload);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IdempotencyPayloadError);
    expect(caught).toMatchObject({ code: 'IDEMPOTENCY_PAYLOAD_INVALID', httpStatus: 400 });
    expect((caught as Error).message).toMatch(message);
  });

  it('cyclic objects, Maps and arrays', () => {
    const map = new Map<string, unknown>();
    map.set('self', map);
    const array: unknown[] = [];
    array.push(array);
    for (const payload of [map, array]) expect(() => fingerprintOf(payload)).toThrow(/cycle/);
  });

  it('bounds the path it echoes', () => {
    const error = (() => {
      try {
        fingerprintOf({ ['k'.repeat(10_000)]: () => 1 });
      } catch (caught) {
        return caught as Error;
      }
      return new Error('accepted');
    })();
    expect(error).toBeInstanceOf(IdempotencyPayloadError);
    expect(error.message.length).toBeLessThan(300);
  });
});
