import { describe, expect, it } from 'vitest';
import { jsonTextProblem, textProblem } from './sqs-text.js';

describe('text Postgres and SQS accept', () => {
  it('accepts ordinary text, tabs and newlines, paired surrogates (emoji) and the top of the BMP below U+FFFE', () => {
    for (const text of ['hello', 'a\tb\nc\r', 'héllo 😀', '\uE000\uFFFD', '\u{10FFFF}']) {
      expect(textProblem(text)).toBeUndefined();
    }
  });

  it('names U+0000, unpaired surrogates and characters outside the SQS set', () => {
    expect(textProblem('a\u0000')).toMatch(/U\+0000/);
    expect(textProblem(`a${String.fromCharCode(0xdc00)}`)).toMatch(/surrogate/);
    expect(textProblem('a\uffff')).toMatch(/U\+FFFF/);
    expect(textProblem('a\u0001')).toMatch(/U\+0001/);
  });

  it('reads JSON.stringify escapes exactly: an escaped backslash before "u0000" is text', () => {
    expect(jsonTextProblem(JSON.stringify({ s: '\\u0000' }))).toBeUndefined();
    expect(jsonTextProblem(JSON.stringify({ s: '\u0000' }))).toMatch(/U\+0000/);
    expect(jsonTextProblem(JSON.stringify({ s: String.fromCharCode(0xd83d) }))).toMatch(/surrogate/);
    expect(jsonTextProblem(JSON.stringify({ s: '\\\\ud83d' }))).toBeUndefined();
    expect(jsonTextProblem(JSON.stringify({ s: '😀', t: '\u0001' }))).toBeUndefined();
  });
});
