import { boundedText } from '@checkout/core';
import { IdempotencyResultUnserializableError } from '../errors.js';
import { describeInstance, formatPath } from './value-path.js';

/**
 * Turns a result into the string a store keeps and back. Plug one in to encrypt or redact
 * (results may hold personal data); the default is JSON.
 */
export interface IdempotencySerializer<T> {
  serialize(value: T): string;
  deserialize(text: string): T;
}

/** The data kept for an error declared a business result by `rememberErrors`. */
export interface RememberedError {
  readonly name: string;
  readonly message: string;
  /** The error's own enumerable properties (e.g. `code`, `declineCode`), JSON-serializable ones only. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * The default result serializer: `JSON.stringify` / `JSON.parse`, strict. A result JSON would store
 * as something else is refused with {@link IdempotencyResultUnserializableError} naming the path:
 * bigint, `Map`, `Set`, class instances without `toJSON`, functions, symbols, NaN, ±Infinity, cycles.
 * Values with `toJSON` (a `Date` becomes its ISO string) are stored as that; a bare `undefined` is
 * stored as `null`, an `undefined` property is left out, as JSON does.
 */
export function jsonSerializer<T>(): IdempotencySerializer<T> {
  return {
    serialize: (value) => strictJsonStringify(value),
    deserialize: (text) => JSON.parse(text) as T,
  };
}

function strictJsonStringify(value: unknown): string {
  const paths = new WeakMap<object, string>();
  // JSON.stringify calls this with each value after its toJSON, parents before children, `this`
  // being the object that holds it: enough to name the path of a value it would not keep.
  function check(this: unknown, key: string, item: unknown): unknown {
    const holder = typeof this === 'object' && this !== null ? paths.get(this) : undefined;
    const path =
      holder === undefined ? '$' : Array.isArray(this) ? `${holder}[${key}]` : `${holder}${formatPath([key]).slice(1)}`;
    const refuse = (reason: string) => new IdempotencyResultUnserializableError(`${boundedText(path, 160)}: ${reason}`);
    switch (typeof item) {
      case 'bigint':
      case 'function':
      case 'symbol':
        throw refuse(`a ${typeof item} has no JSON form`);
      case 'number':
        if (!Number.isFinite(item)) throw refuse(`${String(item)} has no JSON form (JSON would store null)`);
        return item;
      case 'object': {
        if (item === null) return item;
        const prototype = Object.getPrototypeOf(item);
        if (!Array.isArray(item) && prototype !== Object.prototype && prototype !== null) {
          throw refuse(`${describeInstance(item)} has no JSON form; give it a toJSON method or plug a serializer`);
        }
        paths.set(item, path);
        return item;
      }
      default:
        return item;
    }
  }
  try {
    return JSON.stringify(value, check) ?? 'null';
  } catch (error) {
    if (error instanceof IdempotencyResultUnserializableError) throw error;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const name = error instanceof Error ? error.name : typeof error;
    const reason = /circular/i.test(message) ? 'has a cycle' : `reading it threw (${boundedText(name, 60)})`;
    throw new IdempotencyResultUnserializableError(`$: ${reason}`, { cause: error });
  }
}

/** Captures name, message and own enumerable properties of a thrown value. */
export function rememberError(error: unknown): RememberedError {
  if (!(error instanceof Error)) {
    const json = jsonOrUndefined(error);
    return { name: 'Error', message: String(error), properties: json === undefined ? {} : { value: JSON.parse(json) } };
  }
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(error)) {
    if (name === 'name' || name === 'message' || name === 'stack' || name === 'cause') continue;
    const json = jsonOrUndefined(value);
    if (json !== undefined) properties[name] = JSON.parse(json);
  }
  return { name: error.name, message: error.message, properties };
}

/** The default `reviveError`: an `Error` with the remembered name, message and properties. */
export function reviveRememberedError(remembered: RememberedError): Error {
  const error = new Error(remembered.message);
  Object.assign(error, remembered.properties);
  error.name = remembered.name;
  return error;
}

// Properties without a JSON form (bigint, cycles, functions) are left out rather than failing.
function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
