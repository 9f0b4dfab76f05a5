// Properties of encode / decode over generated payloads and metadata: encode refuses with a typed
// error naming the field, or the envelope's body is text SQS takes and decode gives back the same
// envelope (the payload exactly as JSON writes it; plain JSON data exactly as given).
import { isCheckoutError, sqsJsonTextProblem } from '@checkout/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPayloadError } from '../errors.js';
import { decode, encode } from './codec.js';
import { defineCommand } from './define-command.js';

/** A schema that accepts anything: the codec alone decides. */
const anything: StandardSchemaV1<unknown, unknown> = {
  '~standard': { version: 1, vendor: 'prop-test', validate: (value) => ({ value }) },
};
const open = defineCommand({ type: 'Open', version: 1, payload: anything });

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('\u0000', '\uD800', 'a\uDC00', '\uFFFE', '\uFFFF', '\u0007', '\t\n\r', '\u2028', '😀', '"\\'),
);
const { payload } = fc.letrec<{ payload: unknown }>((tie) => ({
  payload: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constantFrom<unknown>(null, -0, 1e308, 5e-324, 2 ** 53 + 2, new Date(0)),
    fc.array(tie('payload'), { maxLength: 3 }),
    fc.dictionary(hostileString, tie('payload'), { maxKeys: 3 }),
  ),
}));
const unserialisable = fc.constantFrom<() => unknown>(
  () => new Map([[1, 2]]),
  () => ({ tags: new Set(['a']) }),
  () => [1, Number.NaN],
  () => ({ total: Number.POSITIVE_INFINITY }),
  () => 10n,
  () => ({ deep: { n: 1n } }),
  () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    return cycle;
  },
  () => undefined,
  () => () => 1,
);
const meta = fc.record({
  orderId: fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/) },
    { weight: 1, arbitrary: hostileString },
  ),
  idempotencyKey: fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9:-]{1,20}$/) },
    { weight: 1, arbitrary: hostileString },
  ),
});

/** Plain JSON data with no value JSON rewrites (-0 is written as 0). */
const plainJson = fc.jsonValue().filter((value) => !hasNegativeZero(value));
function hasNegativeZero(value: unknown): boolean {
  if (Object.is(value, -0)) return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasNegativeZero);
}

describe('encode / decode (property)', () => {
  it('encode refuses with InvalidPayloadError naming the field, or decode gives back the envelope and the payload in JSON form', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: payload }, { weight: 1, arbitrary: unserialisable.map((make) => make()) }),
        meta,
        async (value, m) => {
          const encoded = await encode(open, value, m).then(
            (envelope) => ({ envelope }),
            (error: unknown) => ({ error }),
          );
          if ('error' in encoded) {
            expect(isCheckoutError(encoded.error)).toBe(true);
            expect(encoded.error, String(encoded.error)).toBeInstanceOf(InvalidPayloadError);
            expect((encoded.error as InvalidPayloadError).field).toMatch(/^(payload|orderId|idempotencyKey)/);
            expect((encoded.error as InvalidPayloadError).httpStatus).toBe(400);
            return;
          }
          const body = JSON.stringify(encoded.envelope);
          // What the producer sends is text SQS takes.
          expect(sqsJsonTextProblem(body)).toBeUndefined();
          const decoded = await decode(body, [open]);
          expect(decoded.orderId).toBe(m.orderId);
          expect(decoded.idempotencyKey).toBe(m.idempotencyKey);
          expect(decoded.type).toBe('Open');
          expect(decoded.payload).toEqual(JSON.parse(JSON.stringify(value)));
          // Nothing JSON would rewrite into another value got through (a Date is sent as its text).
          expect(
            JSON.stringify(value, (_key, v: unknown) => (v instanceof Map || v instanceof Set ? 'REWRITTEN' : v)),
          ).not.toContain('REWRITTEN');
          // Byte for byte: decoding and encoding again writes the same payload text.
          expect(JSON.stringify(decoded.payload)).toBe(JSON.stringify(encoded.envelope.payload));
          expect(JSON.stringify(decoded)).toBe(body);
        },
      ),
    );
  });

  it('plain JSON data round-trips exactly', async () => {
    await fc.assert(
      fc.asyncProperty(plainJson, async (value) => {
        const envelope = await encode(open, value, { orderId: 'o-1', idempotencyKey: 'k-1' }).catch(
          (error: unknown) => error,
        );
        if (envelope instanceof InvalidPayloadError) {
          // Refused only for text SQS would not take.
          expect(sqsJsonTextProblem(JSON.stringify(value)) !== undefined || /payload/.test(envelope.field ?? '')).toBe(
            true,
          );
          return;
        }
        const decoded = await decode(JSON.stringify(envelope), [open]);
        expect(decoded.payload).toEqual(value);
      }),
    );
  });
});
