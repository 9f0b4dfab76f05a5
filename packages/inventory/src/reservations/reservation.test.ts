import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../errors.js';
import { linesToAttribute, reservationFromItem, sameLines } from './reservation.js';

const good = {
  orderId: { S: 'o1' },
  status: { S: 'PENDING' },
  lines: linesToAttribute([{ sku: 'a', quantity: 2 }]),
  reservedAt: { N: '1000' },
  reservedUntil: { N: '2000' },
};

describe('reservationFromItem', () => {
  it('parses a stored reservation', () => {
    expect(reservationFromItem(good)).toEqual({
      orderId: 'o1',
      status: 'PENDING',
      lines: [{ sku: 'a', quantity: 2 }],
      reservedAt: new Date(1000),
      reservedUntil: new Date(2000),
    });
  });

  it('names the corrupt attribute', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, status: { S: 'LOST' } }, 'status'],
      [{ ...good, lines: { L: [] } }, 'lines'],
      [{ ...good, lines: { L: [{ S: 'x' }] } }, 'lines[0]'],
      [{ ...good, lines: linesToAttribute([{ sku: 'a', quantity: 0 }]) }, 'lines[0].quantity'],
      [{ ...good, reservedAt: { S: 'yesterday' } }, 'reservedAt'],
      [{ ...good, orderId: undefined }, 'orderId'],
    ];
    for (const [item, field] of cases) {
      expect(() => reservationFromItem(item as never)).toThrow(expect.objectContaining({ field }));
      expect(() => reservationFromItem(item as never)).toThrow(CorruptRecordError);
    }
  });

  it('compares normalized lines', () => {
    expect(sameLines([{ sku: 'a', quantity: 1 }], [{ sku: 'a', quantity: 1 }])).toBe(true);
    expect(sameLines([{ sku: 'a', quantity: 1 }], [{ sku: 'a', quantity: 2 }])).toBe(false);
    expect(sameLines([{ sku: 'a', quantity: 1 }], [])).toBe(false);
  });
});
