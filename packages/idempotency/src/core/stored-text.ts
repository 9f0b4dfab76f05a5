// In a `u` regex a surrogate pair is one astral code point; only an unpaired surrogate is a `Cs`
// code point (same answer as `String.prototype.isWellFormed`, which the configured lib lacks).
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why DynamoDB or Postgres would not keep `text` as it is, or `undefined` when they would. An
 * unpaired UTF-16 surrogate has no UTF-8 form: Postgres stores it as U+FFFD and DynamoDB keeps one
 * item for every such key, so two strings that differ only there become one. Postgres `text`
 * cannot hold U+0000 at all.
 */
export function unstorableTextReason(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'has an unpaired UTF-16 surrogate (ill-formed text)';
  if (text.includes('\u0000')) return 'contains U+0000';
  return undefined;
}

/** `text` cut to `max` characters (whole code points) with an ellipsis: messages never echo unbounded input. */
export function bounded(text: string, max = 60): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max).join('')}…`;
}
