import { describe, expect, it } from 'vitest';
import { IdempotencyKeyError } from '../errors.js';
import { MAX_KEY_LENGTH, storedKeyOf, validateKeyPart } from './key.js';

describe('validateKeyPart', () => {
  it.each([
    ['empty', '', /must not be empty/],
    ['too long', 'k'.repeat(MAX_KEY_LENGTH + 1), /at most 255/],
    ['newline', 'abc\ndef', /control characters/],
    ['NUL', 'abc\u0000', /control characters/],
    ['DEL', 'abc\u007f', /control characters/],
    ['C1', 'abc\u0085', /control characters/],
    ['line separator', 'abc\u2028', /control characters/],
    ['missing', undefined, /expected a string, got undefined/],
    ['number', 42, /expected a string, got number/],
    ['null', null, /got null/],
  ])('rejects %s with a 400 error naming the field', (_label, value, message) => {
    let caught: unknown;
    try {
      validateKeyPart('key', value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IdempotencyKeyError);
    expect(caught).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', httpStatus: 400, field: 'key' });
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts 255 characters, unicode and punctuation', () => {
    expect(validateKeyPart('scope', 'k'.repeat(MAX_KEY_LENGTH))).toHaveLength(MAX_KEY_LENGTH);
    expect(validateKeyPart('key', 'Zahlung-ü-✓ #1: "a/b"')).toBe('Zahlung-ü-✓ #1: "a/b"');
  });
});

describe('storedKeyOf', () => {
  it('never maps two (scope, key) pairs to one stored key', () => {
    expect(storedKeyOf('a:b', 'c')).not.toBe(storedKeyOf('a', 'b:c'));
    expect(storedKeyOf('tenant-1', 'k')).toBe('8:tenant-1:k');
  });
});
