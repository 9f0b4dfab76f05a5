import { describe, expect, it } from 'vitest';
import { IdempotencyKeyError } from '../errors.js';
import { MAX_KEY_BYTES, storedKeyOf, validateKeyPart } from './key.js';

function keyErrorOf(field: 'key' | 'scope', value: unknown): IdempotencyKeyError {
  try {
    validateKeyPart(field, value);
  } catch (error) {
    if (error instanceof IdempotencyKeyError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('validateKeyPart', () => {
  it.each([
    ['empty', '', /must not be empty/],
    ['too long', 'k'.repeat(MAX_KEY_BYTES + 1), /at most 255/],
    ['newline', 'abc\ndef', /control characters/],
    ['NUL', 'abc\u0000', /control characters/],
    ['DEL', 'abc\u007f', /control characters/],
    ['C1', 'abc\u0085', /control characters/],
    ['line separator', 'abc\u2028', /control characters/],
    ['missing', undefined, /expected a string, got undefined/],
    ['number', 42, /expected a string, got number/],
    ['null', null, /got null/],
    ['an unpaired high surrogate', 'tenant-\uD800', /unpaired UTF-16 surrogate/],
    ['an unpaired low surrogate', 'tenant-\uDC00', /unpaired UTF-16 surrogate/],
    ['a reversed surrogate pair', 'a\uDC00\uD800b', /unpaired UTF-16 surrogate/],
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
    expect(validateKeyPart('scope', 'k'.repeat(MAX_KEY_BYTES))).toHaveLength(MAX_KEY_BYTES);
    expect(validateKeyPart('key', 'Zahlung-ü-✓ #1: "a/b"')).toBe('Zahlung-ü-✓ #1: "a/b"');
  });
});

describe('validateKeyPart: text the stores cannot keep apart', () => {
  it('refuses strings that differ only in an unpaired surrogate (DynamoDB and Postgres store them as one)', () => {
    for (const field of ['key', 'scope'] as const) {
      for (const value of ['shop-1\uD800', 'shop-1\uDBFF', '\uDFFFshop-1']) {
        expect(keyErrorOf(field, value)).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', httpStatus: 400, field });
      }
    }
  });

  it('accepts well-formed astral characters, noncharacters and U+FFFD (the stores keep them apart)', () => {
    for (const value of ['😀', 'a\u{10FFFF}', 'a\uFFFE', 'a\uFFFF', 'a\uFFFD', 'e\u0301', '\u00e9']) {
      expect(validateKeyPart('key', value)).toBe(value);
    }
  });
});

describe('validateKeyPart: the 255 limit counts UTF-8 bytes', () => {
  it('says what it counts: 255 emoji are 1020 bytes, not "510"', () => {
    const error = keyErrorOf('key', '😀'.repeat(255));
    expect(error.message).toBe('Invalid idempotency key: must be at most 255 UTF-8 bytes, got 1020');
    expect(MAX_KEY_BYTES).toBe(255);
  });

  it('accepts exactly 255 bytes of multibyte text and refuses 256', () => {
    const fits = `${'ü'.repeat(127)}k`;
    expect(Buffer.byteLength(fits)).toBe(255);
    expect(validateKeyPart('scope', fits)).toBe(fits);
    expect(keyErrorOf('scope', 'ü'.repeat(128)).message).toBe(
      'Invalid idempotency scope: must be at most 255 UTF-8 bytes, got 256',
    );
  });
});

describe('storedKeyOf', () => {
  it('never maps two (scope, key) pairs to one stored key', () => {
    expect(storedKeyOf('a:b', 'c')).not.toBe(storedKeyOf('a', 'b:c'));
    expect(storedKeyOf('tenant-1', 'k')).toBe('8:tenant-1:k');
  });
});
