import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { InvalidPayloadError, PoisonMessageError, WorkersConfigError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard, sendReceipt } from '../test-support/commands.js';
import { decode, encode } from './codec.js';
import { defineCommand } from './define-command.js';

const meta = { orderId: 'order-1', idempotencyKey: 'order-1:charge' };

async function poisonOf(run: () => Promise<unknown>): Promise<PoisonMessageError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PoisonMessageError) return error;
    throw error;
  }
  throw new Error('expected a PoisonMessageError');
}

async function payloadErrorOf(run: () => Promise<unknown>): Promise<InvalidPayloadError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InvalidPayloadError) return error;
    throw error;
  }
  throw new Error('expected an InvalidPayloadError');
}

describe('encode / decode', () => {
  it('round-trips an envelope through JSON, typed by command', async () => {
    const envelope = await encode(chargeCard, { amountMinor: 1299, currency: 'EUR' }, meta);
    expect(envelope).toMatchObject({ type: 'ChargeCard', schemaVersion: 2, attempt: 1, orderId: 'order-1' });
    expect(envelope.messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const decoded = await decode(JSON.stringify(envelope), [chargeCard, sendReceipt]);
    expect(decoded).toEqual(envelope);
    if (decoded.type === 'ChargeCard') expect(decoded.payload.amountMinor).toBe(1299);
  });

  it('refuses a bad payload or bad metadata, naming the field', async () => {
    await expect(encode(chargeCard, { amountMinor: -1, currency: 'EUR' }, meta)).rejects.toThrow(InvalidPayloadError);
    const currency = await payloadErrorOf(() => encode(chargeCard, { amountMinor: 1, currency: 'EURO' }, meta));
    expect(currency).toMatchObject({ field: 'payload.currency', code: 'WORKERS_INVALID_PAYLOAD', httpStatus: 400 });
    const orderId = await payloadErrorOf(() =>
      encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, orderId: '' }),
    );
    expect(orderId.field).toBe('orderId');
    await expect(
      encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, traceparent: 'nope' }),
    ).rejects.toThrow(/traceparent/);
    await expect(
      encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, messageId: 'not-a-ulid' }),
    ).rejects.toThrow(expect.objectContaining({ field: 'messageId' }));
    await expect(encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, attempt: 0 })).rejects.toThrow(
      expect.objectContaining({ field: 'attempt' }),
    );
    await expect(
      encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, occurredAt: '2026-02-30T00:00:00Z' }),
    ).rejects.toThrow(expect.objectContaining({ field: 'occurredAt' }));
  });

  it('writes nested field paths with core fieldPath (payload.lines[2].quantity)', async () => {
    const order = defineCommand({
      type: 'PlaceOrder',
      version: 1,
      payload: z.object({ lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })) }),
    });
    const lines = [
      { sku: 'a', quantity: 1 },
      { sku: 'b', quantity: 1 },
      { sku: 'c', quantity: 0 },
    ];
    const error = await payloadErrorOf(() => encode(order, { lines }, meta));
    expect(error.field).toBe('payload.lines[2].quantity');
    const good = await encode(order, { lines: lines.slice(0, 2) }, meta);
    const poison = await poisonOf(() => decode(JSON.stringify({ ...good, payload: { lines } }), [order]));
    expect(poison).toMatchObject({ kind: 'schema-invalid', field: 'payload.lines[2].quantity' });
  });

  it('classifies every kind of poison', async () => {
    const good = await encode(sendReceipt, { email: 'a@example.com', seq: 1 }, meta);
    expect((await poisonOf(() => decode('{not json', [sendReceipt]))).kind).toBe('unparseable');
    expect((await poisonOf(() => decode(JSON.stringify({ hello: 1 }), [sendReceipt]))).kind).toBe('invalid-envelope');
    expect((await poisonOf(() => decode('[]', [sendReceipt]))).kind).toBe('invalid-envelope');
    expect((await poisonOf(() => decode('null', [sendReceipt]))).kind).toBe('invalid-envelope');
    expect((await poisonOf(() => decode(JSON.stringify(good), [chargeCard]))).kind).toBe('unknown-type');
    const future = await poisonOf(() => decode(JSON.stringify({ ...good, schemaVersion: 9 }), [sendReceipt]));
    expect(future.kind).toBe('unsupported-version');
    const invalid = await poisonOf(() =>
      decode(JSON.stringify({ ...good, payload: { email: 'x', seq: 1 } }), [sendReceipt]),
    );
    expect(invalid).toMatchObject({
      kind: 'schema-invalid',
      field: 'payload.email',
      code: 'WORKERS_POISON_MESSAGE',
      httpStatus: 500,
    });
    const { payload: _payload, ...withoutPayload } = good;
    expect(await poisonOf(() => decode(JSON.stringify(withoutPayload), [sendReceipt]))).toMatchObject({
      kind: 'invalid-envelope',
      field: 'payload',
    });
  });

  it('upcasts a v1 payload to v2 before validating', async () => {
    const v1 = {
      ...(await encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, meta)),
      schemaVersion: 1,
      payload: { amountCents: 500 },
    };
    const decoded = await decode(JSON.stringify(v1), [chargeCard]);
    expect(decoded.schemaVersion).toBe(2);
    expect(decoded.payload).toEqual({ amountMinor: 500, currency: 'EUR' });
    const broken = { ...v1, payload: { amountCents: 'five' } };
    expect((await poisonOf(() => decode(JSON.stringify(broken), [chargeCard]))).kind).toBe('schema-invalid');
  });

  it('treats a missing upcaster as an unsupported version', async () => {
    const v3 = defineCommand({ type: 'T', version: 3, payload: z.object({}), upcast: { 2: (p) => p } });
    const body = JSON.stringify({ ...(await encode(v3, {}, meta)), schemaVersion: 1 });
    expect((await poisonOf(() => decode(body, [v3]))).kind).toBe('unsupported-version');
  });

  it('validates definitions', () => {
    expect(() => defineCommand({ type: '', version: 1, payload: z.object({}) })).toThrow(WorkersConfigError);
    expect(() => defineCommand({ type: 'T', version: 0, payload: z.object({}) })).toThrow(/version/);
    expect(() => defineCommand({ type: 'T', version: 2, payload: z.object({}), upcast: { 2: (p) => p } })).toThrow(
      expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: 'upcast[2]' }),
    );
    const notASchema = { parse: (value: unknown) => value } as unknown as StandardSchemaV1;
    expect(() => defineCommand({ type: 'T', version: 1, payload: notASchema })).toThrow(
      expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: 'payload' }),
    );
  });

  it('types: decode returns a union narrowed by type; handlers see the payload type', async () => {
    const body = JSON.stringify(await encode(sendReceipt, { email: 'a@example.com', seq: 1 }, meta));
    const decoded = await decode(body, [chargeCard, sendReceipt]);
    if (decoded.type === 'SendReceipt') expectTypeOf(decoded.payload).toEqualTypeOf<{ email: string; seq: number }>();
    if (decoded.type === 'ChargeCard') expectTypeOf(decoded.payload.amountMinor).toEqualTypeOf<number>();
    handleCommand(chargeCard, (envelope) => {
      expectTypeOf(envelope.type).toEqualTypeOf<'ChargeCard'>();
      expectTypeOf(envelope.payload.currency).toEqualTypeOf<string>();
    });
    // @ts-expect-error: the payload must match the command's schema input
    await expect(encode(chargeCard, { amountMinor: 'x' }, meta)).rejects.toThrow(InvalidPayloadError);
  });
});

/** A hand-written Standard Schema v1 (no library): `{ sku: string, quantity: integer >= 1 }`. */
function lineSchema(
  options: { readonly async?: boolean } = {},
): StandardSchemaV1<{ sku: string; quantity: number }, { sku: string; quantity: number }> {
  const check = (value: unknown): StandardSchemaV1.Result<{ sku: string; quantity: number }> => {
    if (typeof value !== 'object' || value === null) return { issues: [{ message: 'expected an object' }] };
    const { sku, quantity } = value as { sku?: unknown; quantity?: unknown };
    if (typeof sku !== 'string' || sku.length === 0) {
      return { issues: [{ message: 'expected a SKU', path: [{ key: 'sku' }] }] };
    }
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      return { issues: [{ message: 'expected a quantity >= 1', path: ['quantity'] }] };
    }
    return { value: { sku: sku.toUpperCase(), quantity } };
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'hand-written',
      validate: (value) => (options.async === true ? Promise.resolve().then(() => check(value)) : check(value)),
    },
  };
}

describe('any Standard Schema (hand-written, sync and async)', () => {
  for (const async of [false, true]) {
    const reserve = defineCommand({ type: 'Reserve', version: 1, payload: lineSchema({ async }) });

    it(`${async ? 'async' : 'sync'} validate: encode uses the output, decode validates again`, async () => {
      const envelope = await encode(reserve, { sku: 'ab-1', quantity: 2 }, meta);
      expect(envelope.payload).toEqual({ sku: 'AB-1', quantity: 2 });
      const decoded = await decode(JSON.stringify(envelope), [reserve]);
      expect(decoded.payload).toEqual({ sku: 'AB-1', quantity: 2 });
    });

    it(`${async ? 'async' : 'sync'} validate: issues map to InvalidPayloadError / poison with { key } and plain segments`, async () => {
      const sku = await payloadErrorOf(() => encode(reserve, { sku: '', quantity: 2 }, meta));
      expect(sku).toMatchObject({ field: 'payload.sku', message: 'payload.sku: expected a SKU' });
      const quantity = await payloadErrorOf(() => encode(reserve, { sku: 'a', quantity: 0 }, meta));
      expect(quantity.field).toBe('payload.quantity');
      const good = await encode(reserve, { sku: 'a', quantity: 1 }, meta);
      const poison = await poisonOf(() => decode(JSON.stringify({ ...good, payload: 'x' }), [reserve]));
      expect(poison).toMatchObject({ kind: 'schema-invalid', field: 'payload' });
    });
  }

  it('odd path segments are written by fieldPath (numbers in brackets, odd keys quoted)', async () => {
    const odd = defineCommand({
      type: 'Odd',
      version: 1,
      payload: {
        '~standard': {
          version: 1,
          vendor: 'hand-written',
          validate: () => ({ issues: [{ message: 'bad', path: ['lines', { key: 2 }, 'trace id'] }] }),
        },
      } satisfies StandardSchemaV1<unknown, unknown>,
    });
    expect((await payloadErrorOf(() => encode(odd, {}, meta))).field).toBe('payload.lines[2]["trace id"]');
  });

  it('a validator that throws: encode rejects with its error, decode parks the message as schema-invalid', async () => {
    const boom = new Error('validator bug');
    let calls = 0;
    const flaky = defineCommand({
      type: 'Flaky',
      version: 1,
      payload: {
        '~standard': {
          version: 1,
          vendor: 'hand-written',
          validate: (value: unknown) => {
            calls += 1;
            if (calls > 1) throw boom;
            return { value };
          },
        },
      } satisfies StandardSchemaV1<unknown, unknown>,
    });
    const envelope = await encode(flaky, { a: 1 }, meta);
    await expect(encode(flaky, { a: 1 }, meta)).rejects.toBe(boom);
    expect(await poisonOf(() => decode(JSON.stringify(envelope), [flaky]))).toMatchObject({
      kind: 'schema-invalid',
      field: 'payload',
    });
  });
});

describe('envelope compatibility (rolling deploys)', () => {
  const current = () => encode(sendReceipt, { email: 'a@example.com', seq: 1 }, meta);

  it('a newer producer adds a top-level field: this consumer ignores it and decodes the rest', async () => {
    const base = await current();
    const fromNewerProducer = { ...base, tenantId: 'acme', routing: { region: 'eu' } };
    const decoded = await decode(JSON.stringify(fromNewerProducer), [sendReceipt]);
    expect(decoded).toEqual(base);
    expect(decoded).not.toHaveProperty('tenantId');
  });

  it('known fields stay strictly validated', async () => {
    const base = await current();
    expect(
      await poisonOf(() => decode(JSON.stringify({ ...base, tenantId: 'acme', attempt: 0 }), [sendReceipt])),
    ).toMatchObject({
      kind: 'invalid-envelope',
      field: 'attempt',
    });
    expect(await poisonOf(() => decode(JSON.stringify({ ...base, orderId: 7 }), [sendReceipt]))).toMatchObject({
      kind: 'invalid-envelope',
      field: 'orderId',
    });
    for (const [field, value] of [
      ['messageId', 'x'],
      ['type', ''],
      ['schemaVersion', 1.5],
      ['idempotencyKey', 'k'.repeat(257)],
      ['attempt', 2 ** 60],
      ['occurredAt', '2026-01-01T00:00Z'],
      ['occurredAt', '2026-01-01T00:00:00'],
      ['traceparent', null],
    ] as const) {
      expect(await poisonOf(() => decode(JSON.stringify({ ...base, [field]: value }), [sendReceipt]))).toMatchObject({
        kind: 'invalid-envelope',
        field,
      });
    }
    const offset = { ...base, occurredAt: '2026-01-01T00:00:00.123+01:00' };
    expect((await decode(JSON.stringify(offset), [sendReceipt])).occurredAt).toBe(offset.occurredAt);
  });

  it('an envelope version this consumer does not know is poison: unsupported-version, naming the field', async () => {
    const base = await current();
    expect((await decode(JSON.stringify({ ...base, envelopeVersion: 1 }), [sendReceipt])).payload).toEqual(
      base.payload,
    );
    expect(await poisonOf(() => decode(JSON.stringify({ ...base, envelopeVersion: 2 }), [sendReceipt]))).toMatchObject({
      kind: 'unsupported-version',
      field: 'envelopeVersion',
    });
    expect(
      await poisonOf(() => decode(JSON.stringify({ ...base, envelopeVersion: 'two' }), [sendReceipt])),
    ).toMatchObject({
      kind: 'invalid-envelope',
      field: 'envelopeVersion',
    });
  });
});
