/**
 * Characters SQS accepts in a message body and in attribute values:
 * `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`.
 */
const OUTSIDE_SQS_SET = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** With the `u` flag a paired surrogate is one code point, so only unpaired ones match (`isWellFormed()`'s rule). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why Postgres or SQS would refuse `text` (U+0000, an unpaired UTF-16 surrogate, a character outside
 * SQS's allowed set), or `undefined` when both take it as is.
 */
export function textProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  if (text.includes('\u0000')) return 'must not contain U+0000';
  const bad = OUTSIDE_SQS_SET.exec(text);
  if (bad !== null) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain U+${code} (SQS accepts #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF)`;
  }
  return undefined;
}

/**
 * The same rule for JSON text written by `JSON.stringify`, which escapes U+0000 (as `\u0000`) and
 * unpaired surrogates (as `\udXXX`): both are found by reading its escapes. (Paired surrogates and
 * every other character are written as themselves.)
 */
export function jsonTextProblem(json: string): string | undefined {
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
  return textProblem(json);
}
