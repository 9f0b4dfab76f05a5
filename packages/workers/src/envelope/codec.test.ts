import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { InvalidOptionsError, InvalidPayloadError, PoisonMessageError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard, sendReceipt } from '../test-support/commands.js';
import { decode, encode } from './codec.js';
import { defineCommand } from './define-command.js';

const meta = { orderId: 'order-1', idempotencyKey: 'order-1:charge' };

function poisonOf(run: () => unknown): PoisonMessageError {
  try {
    run();
  } catch (error) {
    if (error instanceof PoisonMessageError) return error;
    throw error;
  }
  throw new Error('expected a PoisonMessageError');
}

describe('encode / decode', () => {
  it('round-trips an envelope through JSON, typed by command', () => {
    const envelope = encode(chargeCard, { amountMinor: 1299, currency: 'EUR' }, meta);
    expect(envelope).toMatchObject({ type: 'ChargeCard', schemaVersion: 2, attempt: 1, orderId: 'order-1' });
    expect(envelope.messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const decoded = decode(JSON.stringify(envelope), [chargeCard, sendReceipt]);
    expect(decoded).toEqual(envelope);
    if (decoded.type === 'ChargeCard') expect(decoded.payload.amountMinor).toBe(1299);
  });

  it('refuses a bad payload or bad metadata, naming the field', () => {
    expect(() => encode(chargeCard, { amountMinor: -1, currency: 'EUR' }, meta)).toThrow(InvalidPayloadError);
    try {
      encode(chargeCard, { amountMinor: 1, currency: 'EURO' }, meta);
    } catch (error) {
      expect((error as InvalidPayloadError).field).toBe('payload.currency');
    }
    try {
      encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, orderId: '' });
    } catch (error) {
      expect((error as InvalidPayloadError).field).toBe('orderId');
    }
    expect(() => encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, { ...meta, traceparent: 'nope' })).toThrow(
      /traceparent/,
    );
  });

  it('classifies every kind of poison', () => {
    const good = encode(sendReceipt, { email: 'a@example.com', seq: 1 }, meta);
    expect(poisonOf(() => decode('{not json', [sendReceipt])).kind).toBe('unparseable');
    expect(poisonOf(() => decode(JSON.stringify({ hello: 1 }), [sendReceipt])).kind).toBe('invalid-envelope');
    expect(poisonOf(() => decode(JSON.stringify(good), [chargeCard])).kind).toBe('unknown-type');
    const future = poisonOf(() => decode(JSON.stringify({ ...good, schemaVersion: 9 }), [sendReceipt]));
    expect(future.kind).toBe('unsupported-version');
    const invalid = poisonOf(() => decode(JSON.stringify({ ...good, payload: { email: 'x', seq: 1 } }), [sendReceipt]));
    expect(invalid).toMatchObject({ kind: 'schema-invalid', field: 'payload.email', code: 'POISON_MESSAGE' });
  });

  it('upcasts a v1 payload to v2 before validating', () => {
    const v1 = {
      ...encode(chargeCard, { amountMinor: 1, currency: 'EUR' }, meta),
      schemaVersion: 1,
      payload: { amountCents: 500 },
    };
    const decoded = decode(JSON.stringify(v1), [chargeCard]);
    expect(decoded.schemaVersion).toBe(2);
    expect(decoded.payload).toEqual({ amountMinor: 500, currency: 'EUR' });
    const broken = { ...v1, payload: { amountCents: 'five' } };
    expect(poisonOf(() => decode(JSON.stringify(broken), [chargeCard])).kind).toBe('schema-invalid');
  });

  it('treats a missing upcaster as an unsupported version', () => {
    const v3 = defineCommand({ type: 'T', version: 3, payload: z.object({}), upcast: { 2: (p) => p } });
    const body = JSON.stringify({ ...encode(v3, {}, meta), schemaVersion: 1 });
    expect(poisonOf(() => decode(body, [v3])).kind).toBe('unsupported-version');
  });

  it('validates definitions', () => {
    expect(() => defineCommand({ type: '', version: 1, payload: z.object({}) })).toThrow(InvalidOptionsError);
    expect(() => defineCommand({ type: 'T', version: 0, payload: z.object({}) })).toThrow(/version/);
    expect(() => defineCommand({ type: 'T', version: 2, payload: z.object({}), upcast: { 2: (p) => p } })).toThrow(
      /upcast\.2/,
    );
  });

  it('types: decode returns a union narrowed by type; handlers see the payload type', () => {
    const body = JSON.stringify(encode(sendReceipt, { email: 'a@example.com', seq: 1 }, meta));
    const decoded = decode(body, [chargeCard, sendReceipt]);
    if (decoded.type === 'SendReceipt') expectTypeOf(decoded.payload).toEqualTypeOf<{ email: string; seq: number }>();
    if (decoded.type === 'ChargeCard') expectTypeOf(decoded.payload.amountMinor).toEqualTypeOf<number>();
    handleCommand(chargeCard, (envelope) => {
      expectTypeOf(envelope.type).toEqualTypeOf<'ChargeCard'>();
      expectTypeOf(envelope.payload.currency).toEqualTypeOf<string>();
    });
    // @ts-expect-error: the payload must match the command's schema input
    expect(() => encode(chargeCard, { amountMinor: 'x' }, meta)).toThrow(InvalidPayloadError);
  });
});

describe('envelope compatibility (rolling deploys)', () => {
  const current = () => encode(sendReceipt, { email: 'a@example.com', seq: 1 }, meta);

  it('a newer producer adds a top-level field: this consumer ignores it and decodes the rest', () => {
    const base = current();
    const fromNewerProducer = { ...base, tenantId: 'acme', routing: { region: 'eu' } };
    const decoded = decode(JSON.stringify(fromNewerProducer), [sendReceipt]);
    expect(decoded).toEqual(base);
    expect(decoded).not.toHaveProperty('tenantId');
  });

  it('known fields stay strictly validated', () => {
    const base = current();
    expect(
      poisonOf(() => decode(JSON.stringify({ ...base, tenantId: 'acme', attempt: 0 }), [sendReceipt])),
    ).toMatchObject({
      kind: 'invalid-envelope',
      field: 'attempt',
    });
    expect(poisonOf(() => decode(JSON.stringify({ ...base, orderId: 7 }), [sendReceipt]))).toMatchObject({
      kind: 'invalid-envelope',
      field: 'orderId',
    });
  });

  it('an envelope version this consumer does not know is poison: unsupported-version, naming the field', () => {
    const base = current();
    expect(decode(JSON.stringify({ ...base, envelopeVersion: 1 }), [sendReceipt]).payload).toEqual(base.payload);
    expect(poisonOf(() => decode(JSON.stringify({ ...base, envelopeVersion: 2 }), [sendReceipt]))).toMatchObject({
      kind: 'unsupported-version',
      field: 'envelopeVersion',
    });
    expect(poisonOf(() => decode(JSON.stringify({ ...base, envelopeVersion: 'two' }), [sendReceipt]))).toMatchObject({
      kind: 'invalid-envelope',
      field: 'envelopeVersion',
    });
  });
});
