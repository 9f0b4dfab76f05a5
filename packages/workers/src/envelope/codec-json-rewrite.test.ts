// Regression (found by codec.prop.test.ts): encode sent a Map or Set as {} and NaN / ±Infinity as
// null when the payload schema let them through (z.map, z.any), so the consumer decoded another
// payload (or parked it as schema-invalid). They are refused now, naming the field.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidPayloadError } from '../errors.js';
import { decode, encode } from './codec.js';
import { defineCommand } from './define-command.js';

const meta = { orderId: 'o-1', idempotencyKey: 'k-1' };
const restock = defineCommand({
  type: 'Restock',
  version: 1,
  payload: z.object({ stock: z.map(z.string(), z.number()) }),
});
const anything = defineCommand({ type: 'Anything', version: 1, payload: z.any() });

describe('encode refuses values JSON would send as something else', () => {
  it('a Map a schema accepted (z.map) is refused naming it, not sent as {}', async () => {
    await expect(encode(restock, { stock: new Map([['mug', 3]]) }, meta)).rejects.toMatchObject({
      code: 'WORKERS_INVALID_PAYLOAD',
      field: 'payload.stock',
    });
  });

  it.each([
    ['a Set', { tags: new Set(['a']) }, 'payload.tags'],
    ['NaN', { lines: [{ qty: Number.NaN }] }, 'payload.lines[0].qty'],
    ['Infinity', { total: Number.POSITIVE_INFINITY }, 'payload.total'],
    ['-Infinity at the top', Number.NEGATIVE_INFINITY, 'payload'],
  ])('%s is refused with the path', async (_name, payload, field) => {
    const error = await encode(anything, payload, meta).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect(error).toMatchObject({ field, httpStatus: 400 });
  });

  it('a Date is still sent as its ISO text, and -0 as 0 (JSON data, not lost)', async () => {
    const envelope = await encode(anything, { at: new Date(0), n: -0 }, meta);
    const decoded = await decode(JSON.stringify(envelope), [anything]);
    expect(decoded.payload).toEqual({ at: '1970-01-01T00:00:00.000Z', n: 0 });
  });
});
