import { describe, expect, it } from 'vitest';
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
