import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidPayloadError, WorkersConfigError } from '../errors.js';
import { encode } from './codec.js';
import { defineCommand } from './define-command.js';

const cmd = defineCommand({ type: 'T', version: 1, payload: z.object({ s: z.string() }) });
const nested = defineCommand({
  type: 'N',
  version: 1,
  payload: z.object({ lines: z.array(z.record(z.string(), z.string())) }),
});
const big = defineCommand({ type: 'B', version: 1, payload: z.object({ n: z.bigint() }) });
const meta = { orderId: 'o', idempotencyKey: 'k' };
describe('encode / defineCommand: only what SQS and consumers accept (core sqsTextProblem)', () => {
  for (const [name, field, m] of [
    ['U+FFFF in orderId', 'orderId', { ...meta, orderId: 'a\uFFFF' }],
    ['U+0000 in orderId', 'orderId', { ...meta, orderId: 'a\u0000' }],
    ['an unpaired surrogate in idempotencyKey', 'idempotencyKey', { ...meta, idempotencyKey: 'a\uD800' }],
    ['an invalid Date as occurredAt', 'occurredAt', { ...meta, occurredAt: new Date(Number.NaN) }],
  ] as const) {
    it(`refuses ${name} with a typed error naming the field`, async () => {
      await expect(encode(cmd, { s: 'x' }, m)).rejects.toThrow(
        expect.objectContaining({ code: 'WORKERS_INVALID_PAYLOAD', field }),
      );
    });
  }
  it('refuses U+FFFF, U+0000 and unpaired surrogates in a payload string, naming the path', async () => {
    await expect(encode(cmd, { s: 'x\uFFFF' }, meta)).rejects.toThrow(expect.objectContaining({ field: 'payload.s' }));
    await expect(encode(cmd, { s: 'x\u0000' }, meta)).rejects.toThrow(expect.objectContaining({ field: 'payload.s' }));
    await expect(encode(cmd, { s: 'x\uD800' }, meta)).rejects.toThrow(expect.objectContaining({ field: 'payload.s' }));
    await expect(encode(nested, { lines: [{}, { 'trace id': 'ok', note: 'a\uFFFE' }] }, meta)).rejects.toThrow(
      expect.objectContaining({ field: 'payload.lines[1].note' }),
    );
    await expect(encode(nested, { lines: [{ 'k\uFFFF': 'v' }] }, meta)).rejects.toThrow(
      expect.objectContaining({ field: 'payload.lines[0]["k\uFFFF"]' }),
    );
    expect((await encode(cmd, { s: 'x 😀 é\t' }, meta)).payload).toEqual({ s: 'x 😀 é\t' });
  });
  it('refuses a payload that is not JSON-serialisable (bigint) as InvalidPayloadError', async () => {
    await expect(encode(big, { n: 1n }, meta)).rejects.toThrow(InvalidPayloadError);
  });
  it('defineCommand refuses U+0000 / U+FFFF in the type', () => {
    expect(() => defineCommand({ type: 'a\uFFFF', version: 1, payload: z.object({}) })).toThrow(WorkersConfigError);
    expect(() => defineCommand({ type: 'a\u0000', version: 1, payload: z.object({}) })).toThrow(WorkersConfigError);
  });
});
