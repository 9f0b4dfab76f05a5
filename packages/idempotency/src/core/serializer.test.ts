import { describe, expect, it } from 'vitest';
import { IdempotencyResultUnserializableError } from '../errors.js';
import { jsonSerializer, rememberError, reviveRememberedError } from './serializer.js';

describe('rememberError / reviveRememberedError', () => {
  it('keeps name, message and JSON-serializable own properties', () => {
    const error = Object.assign(new Error('card declined'), { name: 'CardDeclinedError', declineCode: 'do_not_honor' });
    const revived = reviveRememberedError(JSON.parse(JSON.stringify(rememberError(error))));
    expect(revived).toBeInstanceOf(Error);
    expect(revived).toMatchObject({ name: 'CardDeclinedError', message: 'card declined', declineCode: 'do_not_honor' });
  });

  it('leaves out properties without a JSON form instead of failing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = Object.assign(new Error('x'), { big: 10n, cyclic, ok: 1 });
    expect(rememberError(error).properties).toEqual({ ok: 1 });
  });

  it('remembers thrown non-errors', () => {
    expect(rememberError('declined')).toEqual({
      name: 'Error',
      message: 'declined',
      properties: { value: 'declined' },
    });
  });
});

describe('jsonSerializer', () => {
  it('round-trips JSON values and stores undefined as null', () => {
    const serializer = jsonSerializer<unknown>();
    expect(serializer.deserialize(serializer.serialize({ a: [1, 'b'] }))).toEqual({ a: [1, 'b'] });
    expect(serializer.serialize(undefined)).toBe('null');
  });
});

describe('jsonSerializer: strict', () => {
  const serializer = jsonSerializer<unknown>();
  const reasonOf = (value: unknown) => {
    try {
      serializer.serialize(value);
    } catch (error) {
      if (error instanceof IdempotencyResultUnserializableError) return error.reason;
      throw error;
    }
    return 'accepted';
  };

  it('names the path of a value JSON would not keep, through objects and arrays', () => {
    expect(reasonOf({ order: { lines: [{ qty: 1 }, { qty: 2n }] } })).toBe(
      '$.order.lines[1].qty: a bigint has no JSON form',
    );
    expect(reasonOf({ 'odd key $&': [new Map()] })).toBe(
      '$["odd key $&"][0]: a Map instance has no JSON form; give it a toJSON method or plug a serializer',
    );
    expect(reasonOf({ ['k'.repeat(10_000)]: Symbol('x') }).length).toBeLessThan(250);
  });

  it('stores values with toJSON as that, and keeps the JSON text of plain data unchanged', () => {
    expect(serializer.serialize({ at: new Date(0), bytes: Buffer.from([1]), skip: undefined, n: -0 })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","bytes":{"type":"Buffer","data":[1]},"n":0}',
    );
    expect(serializer.serialize(Object.assign(Object.create(null), { a: [1, null, 'x'] }))).toBe('{"a":[1,null,"x"]}');
  });

  it('reports a throwing getter by its error name only (the message may quote the result)', () => {
    const value = {
      get secret(): string {
        throw new TypeError('card 4242 4242 4242 4242');
      },
    };
    expect(reasonOf(value)).toBe('$: reading it threw (TypeError)');
  });
});
