// Properties of core's rules over generated inputs (fast-check prints a seed that replays a failure).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckoutError, isCheckoutError } from './errors/checkout-error.js';
import { type FieldPathSegment, fieldPath } from './errors/field-path.js';
import { toHttpResponse } from './http/to-http-response.js';
import { identifierProblem } from './identifiers/identifier.js';
import { boundedText } from './text/bounded-text.js';
import { sqsJsonTextProblem, sqsTextProblem, storedTextProblem } from './text/text-rules.js';

// Characters at the edges of the rules, mixed into generated text so that rare code points are common.
const edge = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\t',
  '\uD800',
  '\uDC00',
  '\uFFFE',
  '\uFFFF',
  '\uFFFD',
  '😀',
  '"',
  '\\',
  ']',
  '[',
  '.',
);
const edgeText = fc
  .array(fc.oneof(edge, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 8 })
  .map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string(), edgeText);
const segment: fc.Arbitrary<FieldPathSegment> = fc.oneof(anyText, fc.integer({ min: -5, max: 1_000 }), fc.double());

/** Reads a path written by fieldPath back into its segments (the inverse a caller would apply). */
function parsePath(path: string): FieldPathSegment[] {
  const out: FieldPathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') i += 1;
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        // A JSON string: find its end by parsing growing prefixes.
        let end = i + 2;
        for (;;) {
          end = path.indexOf('"]', end);
          try {
            out.push(JSON.parse(path.slice(i + 1, end + 1)) as string);
            break;
          } catch {
            end += 1;
          }
        }
        i = end + 2;
      } else {
        const end = path.indexOf(']', i);
        out.push(Number(path.slice(i + 1, end)));
        i = end + 1;
      }
    } else {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(path.slice(i));
      if (match === null) throw new Error(`unreadable path ${path}`);
      out.push(match[0]);
      i += match[0].length;
    }
  }
  return out;
}

/** What fieldPath promises to keep: an index as a number, anything else as the key it names. */
function normalized(segments: readonly FieldPathSegment[]): FieldPathSegment[] {
  return segments.map((s) => {
    if (typeof s !== 'number') return s;
    if (!(Number.isSafeInteger(s) && s >= 0)) return String(s);
    return s === 0 ? 0 : s; // -0 is index 0
  });
}

describe('fieldPath (property)', () => {
  it('is unambiguous: the path reads back into the segments it was written from', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
        expect(parsePath(fieldPath(...segments))).toEqual(normalized(segments));
      }),
    );
  });

  it('two different segment lists never share a path', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.array(segment, { maxLength: 4 }), (a, b) => {
        fc.pre(JSON.stringify(normalized(a)) !== JSON.stringify(normalized(b)));
        expect(fieldPath(...a)).not.toBe(fieldPath(...b));
      }),
    );
  });
});

/** SQS's set, read code point by code point: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
function inSqsSet(text: string): boolean {
  for (const char of text) {
    const c = char.codePointAt(0) ?? 0;
    const ok =
      c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

describe('text rules (property)', () => {
  it('stored text is exactly the text UTF-8 keeps and Postgres text can hold', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const keeps = Buffer.from(text, 'utf8').toString('utf8') === text && !text.includes('\u0000');
        expect(storedTextProblem(text) === undefined).toBe(keeps);
      }),
    );
  });

  it('SQS text is stored text within the SQS character set, and JSON text follows the value it encodes', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const ok = storedTextProblem(text) === undefined && inSqsSet(text);
        expect(sqsTextProblem(text) === undefined).toBe(ok);
        // JSON.stringify escapes the controls below U+0020 (so the JSON text is SQS-safe for them); what
        // cannot be stored is refused through its escape, and U+FFFE/U+FFFF stay raw and are refused.
        const jsonOk =
          storedTextProblem(text) === undefined &&
          inSqsSet(
            Array.from(text)
              .filter((c) => (c.codePointAt(0) ?? 0) >= 0x20)
              .join(''),
          );
        expect(sqsJsonTextProblem(JSON.stringify({ value: text })) === undefined).toBe(jsonOk);
      }),
    );
  });

  it('boundedText keeps text of at most max code points, else cuts at a code point and adds an ellipsis', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 20 }), (text, max) => {
        const points = Array.from(text);
        const expected = points.length <= max ? text : `${points.slice(0, max).join('')}…`;
        expect(boundedText(text, max)).toBe(expected);
      }),
    );
  });
});

describe('identifierProblem (property)', () => {
  it('accepts only names Postgres needs no escaping for, up to 40 characters', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        const ok = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(name);
        expect(identifierProblem(name) === undefined).toBe(ok);
      }),
    );
  });
});

describe('toHttpResponse (property)', () => {
  it('never throws, answers valid JSON with the code, hides 5xx messages, sends only whole Retry-After values', () => {
    fc.assert(
      fc.property(
        anyText,
        anyText,
        fc.oneof(fc.integer({ min: -1, max: 1_000 }), fc.double()),
        fc.option(fc.oneof(fc.double(), fc.integer()), { nil: undefined }),
        fc.option(anyText, { nil: undefined }),
        (code, message, httpStatus, retryAfterSeconds, field) => {
          const error = new CheckoutError(code, message, {
            httpStatus,
            ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
            ...(field === undefined ? {} : { field }),
          });
          expect(isCheckoutError(error)).toBe(true);
          const answer = toHttpResponse(error);
          expect(answer).toBeDefined();
          if (answer === undefined) return;
          expect(answer.status >= 400 && answer.status <= 599).toBe(true);
          const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
          if (answer.status >= 500) expect(body.error.message).toBe('Internal error');
          else expect(Array.from(body.error.message).length).toBeLessThanOrEqual(501);
          const retry = answer.headers['Retry-After'];
          if (retry !== undefined) expect(retry).toMatch(/^\d+$/);
        },
      ),
    );
  });
});
