import { describe, expect, it } from 'vitest';
import { InventoryConfigError, InventoryInputError, TooManyLinesError } from '../errors.js';
import { MAX_RESERVATION_LINES, normalizeLines, validateId, validateTableName } from './validate-input.js';

describe('normalizeLines', () => {
  it('merges repeated SKUs and sorts by SKU', () => {
    expect(
      normalizeLines([
        { sku: 'b', quantity: 1 },
        { sku: 'a', quantity: 2 },
        { sku: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'a', quantity: 2 },
      { sku: 'b', quantity: 4 },
    ]);
  });

  it('names the offending field', () => {
    const cases: Array<[unknown, string]> = [
      [[], 'lines'],
      ['nope', 'lines'],
      [[null], 'lines[0]'],
      [
        [
          { sku: 'a', quantity: 1 },
          { sku: '', quantity: 1 },
        ],
        'lines[1].sku',
      ],
      [[{ sku: 'a', quantity: -1 }], 'lines[0].quantity'],
      [[{ sku: 'a', quantity: 1.5 }], 'lines[0].quantity'],
      [[{ sku: 'a', quantity: '1' }], 'lines[0].quantity'],
      [[{ sku: 'a\n', quantity: 1 }], 'lines[0].sku'],
    ];
    for (const [lines, field] of cases) {
      expect(() => normalizeLines(lines)).toThrow(expect.objectContaining({ code: 'INVENTORY_INVALID_INPUT', field }));
    }
  });

  it(`accepts ${MAX_RESERVATION_LINES} distinct SKUs and rejects one more with TooManyLinesError`, () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `s${i}`, quantity: 1 }));
    expect(normalizeLines(lines(MAX_RESERVATION_LINES))).toHaveLength(MAX_RESERVATION_LINES);
    const error = (() => {
      try {
        normalizeLines(lines(MAX_RESERVATION_LINES + 1));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TooManyLinesError);
    expect(error).toMatchObject({ code: 'INVENTORY_TOO_MANY_LINES', httpStatus: 400, lineCount: 100, maxLines: 99 });
    // 150 lines over 99 SKUs is fine: the limit counts distinct SKUs (transaction items).
    expect(normalizeLines([...lines(99), ...lines(51)])).toHaveLength(99);
  });
});

describe('identifiers', () => {
  it('rejects hostile and malformed table names', () => {
    for (const name of ['ab', 'inv"; DROP', 'a b c', 'x'.repeat(256), 'tbl/../other', '', 42]) {
      expect(() => validateTableName(name)).toThrow(InventoryConfigError);
    }
    expect(() => validateTableName('inventory_prod-1.v2')).not.toThrow();
  });

  it('rejects empty, overlong and control-character ids', () => {
    expect(() => validateId('orderId', '')).toThrow(expect.objectContaining({ field: 'orderId' }));
    expect(() => validateId('orderId', 'x'.repeat(513))).toThrow(InventoryInputError);
    expect(() => validateId('orderId', 'a\u0000b')).toThrow(InventoryInputError);
    // Unpaired surrogates: DynamoDB would store `a\ud800` and `a\udc00` as one key.
    for (const lone of ['a\ud800', '\udc00b', 'a\udbffb', 'x\ud83d']) {
      expect(() => validateId('sku', lone)).toThrow(
        expect.objectContaining({ field: 'sku', code: 'INVENTORY_INVALID_INPUT' }),
      );
    }
    expect(() => validateId('sku', 'mug-😀')).not.toThrow();
    expect(() => validateId('orderId', 'ORDER#ünïcode-ok')).not.toThrow();
    // 512 UTF-8 bytes, counted as bytes (a 2-byte character counts twice).
    expect(() => validateId('sku', 'é'.repeat(256))).not.toThrow();
    expect(() => validateId('sku', 'é'.repeat(257))).toThrow(expect.objectContaining({ field: 'sku' }));
    for (const control of ['a\u0001', 'tab\tsku', 'del\u007f']) {
      expect(() => validateId('sku', control)).toThrow(
        expect.objectContaining({ message: expect.stringContaining('control') }),
      );
    }
  });
});
