import { describe, expect, it } from 'vitest';
import { CurrencyMismatchError, InvalidCartError, UnknownSkuError } from '../errors.js';
import { parseCart } from './cart.js';
import { type Catalog, priceCart } from './price-cart.js';

const catalog: Catalog = {
  currency: 'EUR',
  products: new Map([
    ['mug', { name: 'Mug', unitPrice: 1_299 }],
    ['tee', { name: 'T-shirt', unitPrice: 2_500 }],
  ]),
  promotions: new Map([['TEN', { percentOffBps: 1_000, minSubtotal: 5_000 }]]),
  taxRateBps: 2_000,
};

const cart = (overrides: Record<string, unknown> = {}) =>
  parseCart({
    customerId: 'c1',
    currency: 'EUR',
    paymentToken: 'tok_ok',
    lines: [
      { sku: 'mug', quantity: 2 },
      { sku: 'tee', quantity: 1 },
    ],
    ...overrides,
  });

describe('priceCart', () => {
  it('prices lines, tax and total in integer minor units', () => {
    const priced = priceCart(cart(), catalog);
    expect(priced.lines.map((line) => line.lineTotal)).toEqual([2_598, 2_500]);
    expect(priced).toMatchObject({ subtotal: 5_098, discount: 0, tax: 1_020, total: 6_118 });
  });

  it('applies a qualifying promotion before tax, and ignores a non-qualifying or unknown code', () => {
    expect(priceCart(cart({ promoCode: 'TEN' }), catalog)).toMatchObject({
      subtotal: 5_098,
      discount: 510,
      tax: 918,
      total: 5_506,
      promoCode: 'TEN',
    });
    const small = priceCart(cart({ promoCode: 'TEN', lines: [{ sku: 'mug', quantity: 1 }] }), catalog);
    expect(small).toMatchObject({ discount: 0 });
    expect(small.promoCode).toBeUndefined();
    expect(priceCart(cart({ promoCode: 'NOPE' }), catalog).discount).toBe(0);
  });

  it('rejects unknown SKUs and a foreign currency with typed errors', () => {
    expect(() => priceCart(cart({ lines: [{ sku: 'hat', quantity: 1 }] }), catalog)).toThrow(UnknownSkuError);
    expect(() => priceCart(cart({ currency: 'USD' }), catalog)).toThrow(CurrencyMismatchError);
  });
});

describe('parseCart', () => {
  it('names every bad field', () => {
    const error = (() => {
      try {
        parseCart({ customerId: '', currency: 'eur', lines: [{ sku: 'a b', quantity: 0 }], paymentToken: 't' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidCartError);
    const paths = (error as InvalidCartError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['customerId', 'currency', 'lines.0.sku', 'lines.0.quantity']));
    expect((error as InvalidCartError).httpStatus).toBe(400);
  });

  it('rejects client-supplied prices, duplicate SKUs and non-integer quantities', () => {
    expect(() => cart({ lines: [{ sku: 'mug', quantity: 1, unitPrice: 1 }] })).toThrow(InvalidCartError);
    expect(() =>
      cart({
        lines: [
          { sku: 'mug', quantity: 1 },
          { sku: 'mug', quantity: 2 },
        ],
      }),
    ).toThrow(/one line only/);
    expect(() => cart({ lines: [{ sku: 'mug', quantity: 1.5 }] })).toThrow(InvalidCartError);
    expect(() => parseCart('not an object')).toThrow(InvalidCartError);
  });
});
