/**
 * Error bodies echo what the client sent (a field name, a path) only in bounded form: a request can
 * carry megabytes in one field name, and a Lambda response over 6 MB fails as a whole.
 */

/** Most characters of a client-supplied name or value an error body repeats. */
export const MAX_ECHO_CHARS = 64;
/** Most issues an error body lists; the rest are counted in `moreIssues`. */
export const MAX_LISTED_ISSUES = 10;
/** Longest `message` of an error body, in characters. */
export const MAX_MESSAGE_CHARS = 1_000;

/** `text` cut to `max` UTF-16 units (never inside a surrogate pair), with `…` when cut. */
export function boundEcho(text: string, max: number = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
