/**
 * `text` cut to `max` code points with an ellipsis, so a message never echoes unbounded input.
 * Never splits a surrogate pair.
 *
 * @example
 * ```ts
 * import { boundedText } from '@checkout/core';
 *
 * boundedText('a'.repeat(100), 10); // 'aaaaaaaaaa…'
 * ```
 */
export function boundedText(text: string, max = 60): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max).join('')}…`;
}
