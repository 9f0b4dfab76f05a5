import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidOptionsError, InvalidPayloadError } from '../errors.js';
import { encode } from './codec.js';
import { defineCommand } from './define-command.js';

const cmd = defineCommand({ type: 'T', version: 1, payload: z.object({ s: z.string() }) });
const big = defineCommand({ type: 'B', version: 1, payload: z.object({ n: z.bigint() }) });
const meta = { orderId: 'o', idempotencyKey: 'k' };
describe('encode / defineCommand: only what SQS and consumers accept', () => {
  for (const [name, field, m] of [
    ['U+FFFF in orderId', 'orderId', { ...meta, orderId: 'a\uFFFF' }],
    ['U+0000 in orderId', 'orderId', { ...meta, orderId: 'a\u0000' }],
    ['an unpaired surrogate in idempotencyKey', 'idempotencyKey', { ...meta, idempotencyKey: 'a\uD800' }],
    ['an invalid Date as occurredAt', 'occurredAt', { ...meta, occurredAt: new Date(Number.NaN) }],
  ] as const) {
    it(`refuses ${name} with a typed error naming the field`, () => {
      expect(() => encode(cmd, { s: 'x' }, m)).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD', field }));
    });
  }
  it('refuses U+FFFF in a payload string (SQS would refuse the body)', () => {
    expect(() => encode(cmd, { s: 'x\uFFFF' }, meta)).toThrow(expect.objectContaining({ field: 'payload.s' }));
    // JSON escapes these, so SQS takes them: still accepted in the payload.
    expect(encode(cmd, { s: 'x\u0000\uD800' }, meta).payload).toEqual({ s: 'x\u0000\uD800' });
  });
  it('refuses a payload that is not JSON-serialisable (bigint) as InvalidPayloadError', () => {
    expect(() => encode(big, { n: 1n }, meta)).toThrow(InvalidPayloadError);
  });
  it('defineCommand refuses U+0000 / U+FFFF in the type', () => {
    expect(() => defineCommand({ type: 'a\uFFFF', version: 1, payload: z.object({}) })).toThrow(InvalidOptionsError);
    expect(() => defineCommand({ type: 'a\u0000', version: 1, payload: z.object({}) })).toThrow(InvalidOptionsError);
  });
});
