/** W3C trace-context `traceparent`: version `00`, 32-hex trace id, 16-hex span id, 2-hex flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** Longest `tracestate` kept, in characters (W3C: a vendor may drop a longer one). */
export const MAX_TRACESTATE_CHARS = 512;

/**
 * A W3C trace context as text, the form it travels in: an outbox row, an SQS message attribute,
 * an envelope.
 */
export interface TraceContextHeaders {
  /** W3C `traceparent`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  readonly traceparent: string;
  /** W3C `tracestate` (vendor entries), when the context has one. */
  readonly tracestate?: string;
}

/**
 * Why `value` is not a W3C `traceparent` we carry (version `00`, lowercase hex, trace and span id
 * not all zeros), or `undefined` when it is one.
 *
 * @example
 * ```ts
 * import { traceparentProblem } from '@checkout/core';
 *
 * traceparentProblem('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'); // undefined
 * traceparentProblem('00-00000000000000000000000000000000-00f067aa0ba902b7-01'); // 'has an all-zero trace id'
 * ```
 */
export function traceparentProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const match = TRACEPARENT.exec(value);
  if (match === null) return 'must be a W3C traceparent (00-<32 lowercase hex>-<16 lowercase hex>-<2 hex>)';
  if (match[1] === ZERO_TRACE) return 'has an all-zero trace id';
  if (match[2] === ZERO_SPAN) return 'has an all-zero span id';
  return undefined;
}

/**
 * Why `value` is not a `tracestate` we carry (1-512 printable ASCII characters), or `undefined`.
 *
 * @example
 * ```ts
 * import { tracestateProblem } from '@checkout/core';
 *
 * tracestateProblem('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'); // undefined
 * ```
 */
export function tracestateProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || value.length > MAX_TRACESTATE_CHARS) {
    return `must be 1-${MAX_TRACESTATE_CHARS} characters long`;
  }
  if (!/^[\x20-\x7e]+$/.test(value)) return 'must be printable ASCII';
  return undefined;
}

/**
 * The AWS X-Ray trace header (`AWSTraceHeader` of SQS, `X-Amzn-Trace-Id` of HTTP) of the same
 * context as a W3C `traceparent`: `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0|1`. X-Ray's
 * root is the W3C trace id cut after its first 8 hex digits (the epoch seconds in ids X-Ray itself
 * makes); `Sampled` is the sampled flag. `undefined` when `traceparent` is not valid.
 *
 * @example
 * ```ts
 * import { xrayTraceHeader } from '@checkout/core';
 *
 * xrayTraceHeader('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01');
 * // 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
 * ```
 */
export function xrayTraceHeader(traceparent: string): string | undefined {
  if (traceparentProblem(traceparent) !== undefined) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = TRACEPARENT.exec(traceparent) ?? [];
  const sampled = (Number.parseInt(flags, 16) & 1) === 1 ? '1' : '0';
  return `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=${sampled}`;
}

/**
 * The W3C `traceparent` of an AWS X-Ray trace header (`Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;
 * Sampled=0|1`, fields in any order, others such as `Lineage` ignored). `undefined` when the header
 * has no valid `Root` or no `Parent` (a header without a parent names a trace, not a span to link to).
 *
 * @example
 * ```ts
 * import { traceparentFromXray } from '@checkout/core';
 *
 * traceparentFromXray('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
 * // '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01'
 * ```
 */
export function traceparentFromXray(header: string): string | undefined {
  if (typeof header !== 'string' || header.length > 1024) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = false;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 'Root') root = value;
    else if (key === 'Parent') parent = value.toLowerCase();
    else if (key === 'Sampled') sampled = value === '1';
  }
  const rootMatch = root === undefined ? null : /^1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})$/.exec(root);
  if (rootMatch === null || parent === undefined) return undefined;
  const traceparent = `00-${`${rootMatch[1]}${rootMatch[2]}`.toLowerCase()}-${parent}-${sampled ? '01' : '00'}`;
  return traceparentProblem(traceparent) === undefined ? traceparent : undefined;
}
