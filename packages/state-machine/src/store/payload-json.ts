import { type FieldPathSegment, fieldPath, storedTextProblem } from '@checkout/core';
import { StateMachineInputError } from '../errors.js';
import type { JsonValue } from './types.js';

/** Deepest nesting of objects and arrays a payload may have (Postgres' JSON parser recurses per level). */
export const MAX_PAYLOAD_DEPTH = 100;

/** A payload checked for jsonb: the JSON text sent to Postgres and the plain value that text parses to. */
export interface PayloadJson {
  /** JSON text for the `jsonb` parameter. */
  readonly text: string;
  /** `JSON.parse(text)`: what the audit row will hold (jsonb may reorder object keys). */
  readonly value: JsonValue;
}

/**
 * Checks a payload against what `JSON.stringify` and Postgres `jsonb` accept together, before any SQL, and
 * returns its JSON text and value (`undefined` when there is no payload). Same semantics as
 * `JSON.stringify` (`toJSON`, so a `Date` becomes its ISO string; `undefined` properties are dropped and
 * `undefined` array items become `null`; `-0` becomes `0`), except that what would be lost or fail is
 * refused with a `StateMachineInputError` naming the path (`payload.lines[2].sku`): U+0000 or an unpaired
 * surrogate in a string or key, a non-finite number, a bigint, a function, a symbol, a `Map` or `Set`
 * (which `JSON.stringify` turns into `{}`), a cycle, or nesting deeper than {@link MAX_PAYLOAD_DEPTH}.
 */
export function payloadJson(input: unknown): PayloadJson | undefined {
  if (input === undefined || input === null) return undefined;
  const ancestors: object[] = [];

  function normalize(raw: unknown, key: string, segments: readonly FieldPathSegment[]): JsonValue | undefined {
    const path = (): string => fieldPath(...segments);
    let value = raw;
    if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') value = toJSON.call(value, key);
    }
    if (value instanceof Number) value = Number(value);
    else if (value instanceof String) value = String(value);
    else if (value instanceof Boolean) value = value.valueOf();

    if (value === null || typeof value === 'boolean') return value;
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      const problem = storedTextProblem(value);
      if (problem !== undefined) throw new StateMachineInputError(path(), problem);
      return value;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new StateMachineInputError(path(), `must be a finite number (JSON has no ${String(value)})`);
      }
      return value === 0 ? 0 : value;
    }
    if (typeof value !== 'object') {
      throw new StateMachineInputError(
        path(),
        `a ${typeof value} is not JSON${typeof value === 'bigint' ? ' (send it as a string)' : ''}`,
      );
    }
    if (value instanceof Map || value instanceof Set) {
      throw new StateMachineInputError(
        path(),
        `a ${value instanceof Map ? 'Map' : 'Set'} is not JSON (it would be stored as {}); use an object or an array`,
      );
    }
    if (ancestors.includes(value))
      throw new StateMachineInputError(path(), 'is a cycle (refers to an object that contains it)');
    if (ancestors.length >= MAX_PAYLOAD_DEPTH) {
      throw new StateMachineInputError(path(), `nests deeper than ${MAX_PAYLOAD_DEPTH} levels of objects and arrays`);
    }
    ancestors.push(value);
    try {
      if (Array.isArray(value)) {
        return Array.from({ length: value.length }, (_, index) => {
          const item = normalize(value[index], String(index), [...segments, index]);
          return item === undefined ? null : item;
        });
      }
      const entries: Array<[string, JsonValue]> = [];
      for (const name of Object.keys(value)) {
        const problem = storedTextProblem(name);
        if (problem !== undefined) throw new StateMachineInputError(path(), `key ${JSON.stringify(name)} ${problem}`);
        const item = normalize((value as Record<string, unknown>)[name], name, [...segments, name]);
        if (item !== undefined) entries.push([name, item]);
      }
      // fromEntries defines own properties, so a `__proto__` key stays data instead of setting a prototype.
      return Object.fromEntries(entries);
    } finally {
      ancestors.pop();
    }
  }

  const value = normalize(input, '', ['payload']);
  if (value === undefined) throw new StateMachineInputError('payload', 'must be a JSON value');
  return { text: JSON.stringify(value), value };
}
