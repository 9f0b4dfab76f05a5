// In a `u` regex a surrogate pair is one astral code point; only an unpaired surrogate is a `Cs`
// code point (the same answer as `String.prototype.isWellFormed`).
const LONE_SURROGATE = /\p{Cs}/u;

/** Characters SQS accepts: `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`. */
const OUTSIDE_SQS_SET = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Why Postgres or DynamoDB would not keep `text` exactly as it is, or `undefined` when they would.
 * Postgres `text` cannot hold U+0000; an unpaired UTF-16 surrogate has no UTF-8 form (Postgres
 * stores U+FFFD, DynamoDB merges two keys that differ only there).
 *
 * @example
 * ```ts
 * import { storedTextProblem } from '@checkout/core';
 *
 * storedTextProblem('order-1'); // undefined
 * storedTextProblem('a\u0000b'); // 'must not contain U+0000'
 * ```
 */
export function storedTextProblem(text: string): string | undefined {
  if (typeof text !== 'string') return `must be a string, got ${typeof text}`;
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  if (text.includes('\u0000')) return 'must not contain U+0000';
  return undefined;
}

/**
 * {@link storedTextProblem}, plus SQS's character set (for text that is sent in a message body or
 * attribute): `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`.
 *
 * @example
 * ```ts
 * import { sqsTextProblem } from '@checkout/core';
 *
 * sqsTextProblem('\u0007'); // 'must not contain U+0007 (SQS accepts ...)'
 * ```
 */
export function sqsTextProblem(text: string): string | undefined {
  const stored = storedTextProblem(text);
  if (stored !== undefined) return stored;
  const bad = OUTSIDE_SQS_SET.exec(text);
  if (bad === null) return undefined;
  const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `must not contain U+${code} (SQS accepts #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF)`;
}

/**
 * {@link sqsTextProblem} for JSON text written by `JSON.stringify`, which escapes U+0000 (as
 * `\u0000`) and unpaired surrogates (as `\udXXX`): those escapes are read too, since the value
 * they stand for cannot be stored. Other escaped characters (`\u0007`) are fine: the JSON text
 * that is sent holds only SQS-safe characters.
 */
export function sqsJsonTextProblem(json: string): string | undefined {
  if (typeof json !== 'string') return `must be a string, got ${typeof json}`;
  if (json.includes('\\')) {
    // Every backslash in JSON text starts an escape, so scanning escapes left to right is exact:
    // `\\u0000` (an escaped backslash, then "u0000") is text, not U+0000.
    for (const match of json.matchAll(/\\(?:u([0-9a-fA-F]{4})|[^u])/g)) {
      const hex = match[1]?.toLowerCase();
      if (hex === undefined) continue;
      if (hex === '0000') return 'must not contain U+0000';
      if (hex >= 'd800' && hex <= 'dfff') return 'must not contain unpaired UTF-16 surrogates';
    }
  }
  return sqsTextProblem(json);
}

/** UTF-8 byte length of `text`: what Postgres, DynamoDB and SQS count. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
