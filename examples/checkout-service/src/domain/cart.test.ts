import { describe, expect, it } from 'vitest';
import { InvalidCartError } from '../errors.js';
import { parseCart } from './cart.js';

const valid = {
  customerId: 'customer-1',
  currency: 'EUR',
  lines: [{ sku: 'mug', quantity: 1 }],
  paymentToken: 'tok_1',
};

function issuesOf(body: unknown): ReadonlyArray<{ path: string; message: string }> {
  try {
    parseCart(body);
  } catch (error) {
    if (error instanceof InvalidCartError) return error.issues;
    throw error;
  }
  throw new Error('expected an InvalidCartError');
}

describe('parseCart string fields', () => {
  it.each([
    ['customerId', 'cust\u0001'],
    ['customerId', 'cust\ud800'],
    ['customerId', 'cust\uffff'],
    ['customerId', 'é'.repeat(65)],
    ['paymentToken', 'tok\u0000'],
    ['paymentToken', 't'.repeat(257)],
    ['promoCode', 'TEN\u0000'],
    ['promoCode', 'P'.repeat(33)],
  ])('refuses a bad %s, naming it', (field, value) => {
    expect(issuesOf({ ...valid, [field]: value }).map((issue) => issue.path)).toContain(field);
  });

  it('accepts the limits exactly', () => {
    expect(parseCart({ ...valid, customerId: 'é'.repeat(64), paymentToken: 't'.repeat(256) }).customerId).toHaveLength(
      64,
    );
  });

  it('names each unknown field on its own, its name cut short', () => {
    const name = 'x'.repeat(5 * 1024 * 1024);
    const issues = issuesOf({ ...valid, [name]: 1, unitPrice: 1, lines: [{ sku: 'mug', quantity: 1, price: 1 }] });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'unitPrice', message: 'unknown field' },
        { path: 'lines.0.price', message: 'unknown field' },
      ]),
    );
    const long = issues.find((issue) => issue.path.startsWith('xxx'));
    expect(long?.path.length).toBeLessThanOrEqual(129);
    expect(long?.path.endsWith('…')).toBe(true);
  });
});
