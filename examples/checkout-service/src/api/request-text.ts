/**
 * One rule for every string a request carries (headers, path, body) and for the authorizer's
 * principal: what reaches Postgres, DynamoDB keys, SQS messages and logs must be plain, well-formed
 * text. Sizes are UTF-8 bytes, what the stores and queues count.
 */

/** Longest `Idempotency-Key` header, in UTF-8 bytes. */
export const MAX_IDEMPOTENCY_KEY_BYTES = 255;
/**
 * Longest principal, in UTF-8 bytes: the idempotency scope (`<principal>:checkout`) stays within the
 * store's 255 and the cart snapshot key within DynamoDB's limits.
 */
export const MAX_PRINCIPAL_BYTES = 200;
/** Longest order id in `GET /orders/{id}`, in UTF-8 bytes (ours are 36-character UUIDs). */
export const MAX_ORDER_ID_BYTES = 128;

// C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and U+FFFE/U+FFFF
// (outside SQS's allowed set: a message carrying them is refused by SQS after the order committed).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]/;
// With the `u` flag a surrogate pair is one code point, so only an unpaired surrogate matches
// (what `String.prototype.isWellFormed()` checks; the repo's lib is ES2023).
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Why `value` is not acceptable request text, or `undefined` when it is: non-empty, well-formed
 * UTF-16 (no unpaired surrogate), no control character, line separator, U+FFFE or U+FFFF, and at
 * most `maxBytes` bytes in UTF-8. The reason never quotes the value.
 */
export function textProblem(value: string, maxBytes: number): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (UNPAIRED_SURROGATE.test(value)) return 'must be well-formed Unicode (it has an unpaired UTF-16 surrogate)';
  const forbidden = FORBIDDEN.exec(value);
  if (forbidden !== null) {
    const codePoint = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${codePoint} at index ${forbidden.index})`;
  }
  // A quick bound first: a string of n UTF-16 units takes at least n bytes.
  if (value.length > maxBytes) return `must be at most ${maxBytes} bytes in UTF-8, got at least ${value.length}`;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) return `must be at most ${maxBytes} bytes in UTF-8, got ${bytes}`;
  return undefined;
}
