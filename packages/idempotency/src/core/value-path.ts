import { boundedText } from '@checkout/core';

/** One step into a value: an array index, a property name, or a `{...}` label (a Map entry, a Set element). */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_PATH_CHARACTERS = 160;

/**
 * `$.lines[0].sku` for error messages. Names are cut to 40 characters and the path to 160, so an
 * error body never echoes an unbounded (hostile) property name.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '$';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (segment.startsWith('{')) text += segment;
    else if (IDENTIFIER.test(segment)) text += `.${boundedText(segment, 40)}`;
    else text += `[${JSON.stringify(boundedText(segment, 40))}]`;
  }
  return boundedText(text, MAX_PATH_CHARACTERS);
}

/** "a Cart instance", "an Error instance". */
export function describeInstance(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  const label = typeof name === 'string' && name !== '' ? name : 'non-plain object';
  return `${/^[AEIOU]/i.test(label) ? 'an' : 'a'} ${label} instance`;
}
