/**
 * Characters SQS accepts in a message body:
 * `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`.
 */
const OUTSIDE_SQS_SET = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** With the `u` flag a paired surrogate is one code point, so only unpaired ones match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `text` must not go into an envelope field a consumer keys on (U+0000, an unpaired UTF-16
 * surrogate, a character outside SQS's set), or `undefined` when it is fine.
 */
export function textProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  if (text.includes('\u0000')) return 'must not contain U+0000';
  const bad = OUTSIDE_SQS_SET.exec(text);
  if (bad === null) return undefined;
  const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `must not contain U+${code} (SQS accepts #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF)`;
}

/**
 * Dotted path (under `prefix`) of the first string or key in a parsed JSON value holding a
 * character SQS refuses in a body, or `undefined`. (`JSON.stringify` escapes U+0000 and unpaired
 * surrogates, so only characters it writes as themselves can make SQS refuse the body.)
 */
export function jsonValueSqsProblem(value: unknown, prefix: string): { path: string; problem: string } | undefined {
  const check = (text: string, path: string) => {
    const bad = OUTSIDE_SQS_SET.exec(text.replace(/\p{Cs}/gu, '').replaceAll('\u0000', ''));
    return bad === null ? undefined : { path, problem: textProblem(bad[0]) ?? 'is not SQS text' };
  };
  const walk = (node: unknown, path: string): { path: string; problem: string } | undefined => {
    if (typeof node === 'string') return check(node, path);
    if (typeof node !== 'object' || node === null) return undefined;
    for (const [key, child] of Object.entries(node)) {
      const childPath = `${path}.${key}`;
      const found = check(key, childPath) ?? walk(child, childPath);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(value, prefix);
}
