import { describe, expect, it } from 'vitest';
import { OutboxInputError, OutboxMessageTooLargeError } from '../errors.js';
import { type ValidatedMessage, validateMessage } from './message.js';

const LIMIT = 1_048_576;

function problem(message: unknown, path: readonly (string | number)[] = ['messages', 0]): OutboxInputError {
  let result: ValidatedMessage | undefined;
  try {
    result = validateMessage(path, message, LIMIT);
  } catch (error) {
    expect(error).toBeInstanceOf(OutboxInputError);
    return error as OutboxInputError;
  }
  throw new Error(`accepted: ${JSON.stringify(result)}`);
}

describe('message text: what Postgres and SQS accept', () => {
  it('accepts ordinary text, tabs and newlines, paired surrogates (emoji) and the top of the BMP below U+FFFE', () => {
    for (const text of ['hello', 'a\tb\nc\r', 'héllo 😀', '\uE000\uFFFD', '\u{10FFFF}']) {
      expect(() => validateMessage(['message'], { destination: 'd', body: text }, LIMIT)).not.toThrow();
      expect(() =>
        validateMessage(['message'], { destination: 'd', body: 1, attributes: { a: text } }, LIMIT),
      ).not.toThrow();
    }
  });

  it('names U+0000, unpaired surrogates and characters outside the SQS set in attribute values', () => {
    const attribute = (value: string) => problem({ destination: 'd', body: 1, attributes: { a: value } }).message;
    expect(attribute('a\u0000')).toMatch(/U\+0000/);
    expect(attribute(`a${String.fromCharCode(0xdc00)}`)).toMatch(/surrogate/);
    expect(attribute('a\uffff')).toMatch(/U\+FFFF/);
    expect(attribute('a\u0001')).toMatch(/U\+0001/);
  });

  it('reads JSON.stringify escapes of the body exactly: an escaped backslash before "u0000" is text', () => {
    const ok = (body: unknown) =>
      expect(() => validateMessage(['message'], { destination: 'd', body }, LIMIT)).not.toThrow();
    ok({ s: '\\u0000' });
    ok({ s: '\\\\ud83d' });
    ok({ s: '😀', t: '\u0001' });
    expect(problem({ destination: 'd', body: { s: '\u0000' } }).message).toMatch(/U\+0000/);
    expect(problem({ destination: 'd', body: { s: String.fromCharCode(0xd83d) } }).message).toMatch(/surrogate/);
  });
});

describe('message field paths (core fieldPath)', () => {
  it('names the field the way a caller would reach it', () => {
    expect(problem({ destination: 'd', groupKey: '', body: 1 }, ['messages', 2]).field).toBe('messages[2].groupKey');
    expect(problem({ destination: '', body: 1 }, ['message']).field).toBe('message.destination');
    expect(problem({ destination: 'd', body: 1, attributes: { 'x y': 'v' } }).field).toBe(
      'messages[0].attributes["x y"]',
    );
    expect(problem({ destination: 'd', body: 1, attributes: { ok: Number.NaN } }).field).toBe(
      'messages[0].attributes.ok',
    );
    expect(problem({ destination: 'd', body: 1, delaySeconds: 901 }).field).toBe('messages[0].delaySeconds');
    expect(problem({ destination: 'd', body: () => 1 }).field).toBe('messages[0].body');
    expect(problem(null).field).toBe('messages[0]');
  });

  it('bad input is a 400 with code OUTBOX_INVALID_INPUT; a too large message is a 413 with its sizes', () => {
    const error = problem({ destination: 'd', groupKey: ' ', body: 1 });
    expect(error).toMatchObject({ code: 'OUTBOX_INVALID_INPUT', httpStatus: 400 });
    let tooLarge: unknown;
    try {
      validateMessage(['messages', 1], { destination: 'd', body: 'x'.repeat(100) }, 50);
    } catch (caught) {
      tooLarge = caught;
    }
    expect(tooLarge).toBeInstanceOf(OutboxMessageTooLargeError);
    expect(tooLarge).toMatchObject({ code: 'OUTBOX_MESSAGE_TOO_LARGE', httpStatus: 413, field: 'messages[1]' });
    expect((tooLarge as OutboxMessageTooLargeError).responseDetails()).toEqual({ sizeBytes: 102, limitBytes: 50 });
  });
});
