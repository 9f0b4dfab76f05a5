import { describe, expect, it } from 'vitest';
import { boundEcho } from './bounded-echo.js';
import { MAX_IDEMPOTENCY_KEY_BYTES, textProblem } from './request-text.js';

describe('textProblem', () => {
  it('accepts plain text up to the byte limit, astral characters included', () => {
    expect(textProblem('order-1', 16)).toBeUndefined();
    expect(textProblem('käse 😀', 16)).toBeUndefined();
    expect(textProblem('k'.repeat(MAX_IDEMPOTENCY_KEY_BYTES), MAX_IDEMPOTENCY_KEY_BYTES)).toBeUndefined();
  });

  it.each([
    ['empty', '', /empty/],
    ['NUL', 'a\u0000b', /U\+0000 at index 1/],
    ['TAB', 'a\tb', /U\+0009/],
    ['DEL', 'a\u007f', /U\+007F/],
    ['C1 control', 'a\u0085', /U\+0085/],
    ['line separator', 'a\u2028', /U\+2028/],
    ['U+FFFF (outside the SQS set)', 'a\uffff', /U\+FFFF/],
    ['unpaired high surrogate', 'a\ud800', /unpaired/],
    ['unpaired low surrogate', '\udc00a', /unpaired/],
    ['over the limit in UTF-8 bytes', '€'.repeat(86), /at most 255 bytes in UTF-8, got 258/],
    ['over the limit in units', 'k'.repeat(256), /at most 255 bytes/],
  ])('refuses %s', (_, value, reason) => {
    expect(textProblem(value, MAX_IDEMPOTENCY_KEY_BYTES)).toMatch(reason);
  });

  it('never quotes the value', () => {
    expect(textProblem(`secret\u0000${'s'.repeat(1_000)}`, 10)).not.toContain('secret');
  });
});

describe('boundEcho', () => {
  it('cuts long text with an ellipsis, never inside a surrogate pair', () => {
    expect(boundEcho('short')).toBe('short');
    expect(boundEcho('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
    const cut = boundEcho(`${'x'.repeat(9)}😀😀`, 10);
    expect(cut).toBe(`${'x'.repeat(9)}…`);
    expect(/\p{Cs}/u.test(cut)).toBe(false);
  });
});
