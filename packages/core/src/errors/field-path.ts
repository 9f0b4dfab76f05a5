/** One step of a field path: a property name or an array index. */
export type FieldPathSegment = string | number;

const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Writes a field path in the one format every checkout-kit error uses: the JavaScript accessor a
 * caller would write to reach the value. Plain names are joined with dots, array indices are
 * `[n]`, any other key is `["..."]` (JSON-quoted), so the path is unambiguous whatever the key.
 *
 * @example
 * ```ts
 * import { fieldPath } from '@checkout/core';
 *
 * fieldPath('lines', 2, 'quantity'); // 'lines[2].quantity'
 * fieldPath('attributes', 'trace id'); // 'attributes["trace id"]'
 * ```
 */
export function fieldPath(...segments: readonly FieldPathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      // An index is a whole number >= 0; any other number is written as the key it would be.
      path += Number.isSafeInteger(segment) && segment >= 0 ? `[${segment}]` : `[${JSON.stringify(String(segment))}]`;
    } else if (PLAIN_NAME.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
