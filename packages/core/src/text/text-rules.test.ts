import { describe, expect, it } from 'vitest';
import { boundedText } from './bounded-text.js';
import { sqsJsonTextProblem, sqsTextProblem, storedTextProblem, utf8Bytes } from './text-rules.js';

describe('text rules', () => {
  it('stored text refuses NUL and unpaired surrogates, keeps pairs and controls', () => {
    expect(storedTextProblem('plain ✓ 😀')).toBeUndefined();
    expect(storedTextProblem('\u0007')).toBeUndefined();
    expect(storedTextProblem('a\u0000')).toMatch(/U\+0000/);
    expect(storedTextProblem('\uD800')).toMatch(/surrogate/);
    expect(storedTextProblem('x\uDC00y')).toMatch(/surrogate/);
  });

  it('SQS text also refuses characters outside the SQS set', () => {
    expect(sqsTextProblem('tab\tnewline\n😀')).toBeUndefined();
    expect(sqsTextProblem('\u0007')).toMatch(/U\+0007/);
    expect(sqsTextProblem('\uFFFE')).toMatch(/U\+FFFE/);
    expect(sqsTextProblem('\uD83D')).toMatch(/surrogate/);
  });

  it('JSON text reads the escapes of what cannot be stored', () => {
    expect(sqsJsonTextProblem(JSON.stringify({ a: '\u0000' }))).toMatch(/U\+0000/);
    expect(sqsJsonTextProblem(JSON.stringify({ a: '\uD800' }))).toMatch(/surrogate/);
    expect(sqsJsonTextProblem(JSON.stringify({ a: '\\u0000' }))).toBeUndefined();
    expect(sqsJsonTextProblem(JSON.stringify({ a: '\u0007' }))).toBeUndefined();
  });

  it('counts UTF-8 bytes and bounds by code points', () => {
    expect(utf8Bytes('é😀')).toBe(6);
    expect(boundedText('😀'.repeat(5), 2)).toBe('😀😀…');
    expect(boundedText('short', 10)).toBe('short');
  });
});

describe('text rules on values that are not strings', () => {
  it('say so instead of throwing', () => {
    expect(storedTextProblem(42 as unknown as string)).toMatch(/string/);
    expect(sqsTextProblem(null as unknown as string)).toMatch(/string/);
    expect(sqsJsonTextProblem({} as unknown as string)).toMatch(/string/);
  });
});
