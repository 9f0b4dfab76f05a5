import { hash } from 'node:crypto';
import { boundedText } from '@checkout/core';
import { IdempotencyPayloadError } from '../errors.js';
import { describeInstance, formatPath, type PathSegment } from './value-path.js';

/**
 * SHA-256 (hex) of the canonical encoding of `payload`. Plain JSON data (objects, arrays, strings,
 * finite numbers, booleans, null) is encoded as canonical JSON with sorted keys, exactly as 0.1.0
 * did, so stored fingerprints stay valid. Values JSON would confuse get their own tagged,
 * non-JSON encoding, by content: `Map` and `Set` (order ignored), `Date` (its time), bigint,
 * `undefined` (a property set to `undefined` differs from a missing one), NaN, ±Infinity, -0, typed
 * arrays, `ArrayBuffer` and `DataView` (kind and bytes). A bare `undefined` (no payload) counts as
 * `null`. Anything else (cycles, functions, symbols, class instances, symbol keys) throws
 * {@link IdempotencyPayloadError} naming the path.
 */
export function fingerprintOf(payload: unknown): string {
  let encoded: string;
  try {
    encoded = encode(payload === undefined ? null : payload, [], new Set());
  } catch (error) {
    if (error instanceof IdempotencyPayloadError) throw error;
    if (error instanceof RangeError) throw new IdempotencyPayloadError('$: nested too deeply', error);
    // A getter or proxy that throws while we read the payload.
    const name = error instanceof Error ? error.name : typeof error;
    throw new IdempotencyPayloadError(`reading it threw (${boundedText(name, 60)})`, error);
  }
  // One-shot hash: several times cheaper than createHash() for payloads this small; same digest (UTF-8).
  return hash('sha256', encoded, 'hex');
}

function encode(value: unknown, path: PathSegment[], ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      // Escapes unpaired surrogates (\ud800), so strings that differ only there stay apart.
      return JSON.stringify(value);
    case 'number':
      if (Object.is(value, -0)) return '-0';
      return Number.isFinite(value) ? JSON.stringify(value) : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'function':
    case 'symbol':
      throw refuse(path, `a ${typeof value} has no JSON form`);
    default:
      if (value === null || typeof value !== 'object') return 'null';
      return encodeObject(value, path, ancestors);
  }
}

function encodeObject(value: object, path: PathSegment[], ancestors: Set<object>): string {
  if (ancestors.has(value)) throw refuse(path, 'has a cycle');
  ancestors.add(value);
  try {
    return encodeKnownObject(value, path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function encodeKnownObject(value: object, path: PathSegment[], ancestors: Set<object>): string {
  const child = (item: unknown, segment: PathSegment) => {
    path.push(segment);
    const encoded = encode(item, path, ancestors);
    path.pop();
    return encoded;
  };
  if (Array.isArray(value)) {
    // Holes count as undefined; the length is implied by the items.
    return `[${Array.from({ length: value.length }, (_, index) => child(value[index], index)).join(',')}]`;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    const record = value as Record<string, unknown>;
    if (
      Object.getOwnPropertySymbols(value).some((symbol) => Object.prototype.propertyIsEnumerable.call(value, symbol))
    ) {
      throw refuse(path, 'has a symbol key, which has no JSON form');
    }
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${child(record[key], key)}`).join(',')}}`;
  }
  if (value instanceof Map) {
    const entries = [...value].map(
      ([key, item], index) => `${child(key, `{key ${index}}`)}=>${child(item, `{value ${index}}`)}`,
    );
    return `Map{${entries.sort().join(',')}}`;
  }
  if (value instanceof Set) {
    return `Set{${[...value]
      .map((item, index) => child(item, `{element ${index}}`))
      .sort()
      .join(',')}}`;
  }
  if (value instanceof Date) return `Date(${String(value.getTime())})`;
  if (ArrayBuffer.isView(value)) {
    // Buffer reports "Uint8Array": the same bytes fingerprint the same.
    const kind = Object.prototype.toString.call(value).slice(8, -1);
    return `${kind}(${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')})`;
  }
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return `ArrayBuffer(${Buffer.from(value).toString('hex')})`;
  }
  throw refuse(
    path,
    `${describeInstance(value)} has no defined content; map it to plain data in the fingerprint option`,
  );
}

function refuse(path: readonly PathSegment[], reason: string): IdempotencyPayloadError {
  return new IdempotencyPayloadError(`${formatPath(path)}: ${reason}`);
}
