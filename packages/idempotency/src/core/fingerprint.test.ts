import { describe, expect, it } from 'vitest';
import { IdempotencyPayloadError } from '../errors.js';
import { fingerprintOf } from './fingerprint.js';

describe('fingerprintOf', () => {
  it('ignores object key order at every depth', () => {
    expect(fingerprintOf({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(fingerprintOf({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  });

  it('tells different payloads apart, including array order and types', () => {
    expect(fingerprintOf({ amount: 100 })).not.toBe(fingerprintOf({ amount: 101 }));
    expect(fingerprintOf([1, 2])).not.toBe(fingerprintOf([2, 1]));
    expect(fingerprintOf({ amount: 100 })).not.toBe(fingerprintOf({ amount: '100' }));
  });

  it('is a SHA-256 hex digest; undefined counts as null', () => {
    expect(fingerprintOf(null)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(undefined)).toBe(fingerprintOf(null));
  });

  it('rejects payloads without a canonical JSON form with a typed 400 error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => fingerprintOf(cyclic)).toThrow(IdempotencyPayloadError);
    expect(() => fingerprintOf(() => 1)).toThrow(IdempotencyPayloadError);
    expect(() => fingerprintOf(Symbol('x'))).toThrow(/no JSON form/);
  });
});
