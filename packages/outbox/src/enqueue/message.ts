import {
  type FieldPathSegment,
  fieldPath,
  sqsJsonTextProblem,
  sqsTextProblem,
  type TraceContextHeaders,
  traceparentProblem,
  tracestateProblem,
  utf8Bytes,
} from '@checkout/core';
import { OutboxInputError, OutboxMessageTooLargeError } from '../errors.js';

/** A message attribute value: sent to SQS as `String` or `Number`. */
export type OutboxAttributeValue = string | number;

/** One message for {@link Outbox.enqueue}. */
export interface OutboxMessage {
  /** Logical destination (e.g. `checkout-commands`); the publisher maps it to a queue URL. 1-256 printable ASCII. */
  readonly destination: string;
  /**
   * Messages with the same group key are published in commit order, one relay at a time; on a FIFO
   * queue it becomes `MessageGroupId`. Use the aggregate id (e.g. the order id). 1-128 printable
   * ASCII, SQS's rule. Omit for messages that need no order.
   */
  readonly groupKey?: string;
  /**
   * JSON-serialisable body. `JSON.stringify(body)` is stored as is (a `json` column keeps the text
   * byte for byte) and is exactly what the publisher sends, so the size checked here is the size sent.
   */
  readonly body: unknown;
  /**
   * Up to 10 SQS message attributes; names 1-256 of `[A-Za-z0-9_.-]`, not starting with `AWS.` or
   * `Amazon.`, not starting or ending with `.`, no `..` (SQS's rules).
   */
  readonly attributes?: Readonly<Record<string, OutboxAttributeValue>>;
  /** SQS `DelaySeconds` (0-900; standard queues only). */
  readonly delaySeconds?: number;
  /**
   * W3C `traceparent` stored with the row (the context its publish span links to and the consumer
   * continues). Default: the active OpenTelemetry span's, when `@opentelemetry/api` is installed and
   * a span is active; else none.
   */
  readonly traceparent?: string;
  /** W3C `tracestate` going with `traceparent` (1-512 printable ASCII). Default: the active span's. */
  readonly tracestate?: string;
}

/** A message after validation, in the shape it is stored. Internal. */
export interface ValidatedMessage {
  readonly destination: string;
  readonly groupKey: string | null;
  readonly bodyJson: string;
  readonly attributesJson: string | null;
  readonly delaySeconds: number | null;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/** A destination: 1-256 printable ASCII characters. */
export const DESTINATION = /^[\x21-\x7e]{1,256}$/;
/** A group key: 1-128 printable ASCII characters (SQS's `MessageGroupId` rule). */
export const GROUP_KEY = /^[\x21-\x7e]{1,128}$/;
/** SQS's range for `Number` attributes: up to 10^126 in magnitude, and 0 or at least 10^-128. */
const NUMBER_MAX = 1e126;
const NUMBER_MIN = 1e-128;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** SQS's limit of message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** Names of the message attributes the trace context travels in (when the message has room for them). */
export const TRACE_ATTRIBUTES = { traceparent: 'traceparent', tracestate: 'tracestate' } as const;

/**
 * The trace attributes a message with `attributeCount` attributes of its own carries: `traceparent`
 * when there is a free slot (SQS allows 10), `tracestate` too when there is a second one. The
 * SQS publisher sends exactly these; enqueue counts their bytes.
 */
export function traceAttributes(
  attributeCount: number,
  trace: { readonly traceparent: string | null; readonly tracestate: string | null },
): Record<string, string> {
  const out: Record<string, string> = {};
  if (trace.traceparent === null || attributeCount >= MAX_MESSAGE_ATTRIBUTES) return out;
  out[TRACE_ATTRIBUTES.traceparent] = trace.traceparent;
  if (trace.tracestate !== null && attributeCount + 1 < MAX_MESSAGE_ATTRIBUTES) {
    out[TRACE_ATTRIBUTES.tracestate] = trace.tracestate;
  }
  return out;
}

/** Bytes SQS counts for a message: body + each attribute's name, data type and value. */
export function messageSizeBytes(bodyJson: string, attributes: Readonly<Record<string, OutboxAttributeValue>>): number {
  let size = utf8Bytes(bodyJson);
  for (const [name, value] of Object.entries(attributes)) {
    // The data type is `String` or `Number`: 6 bytes either way.
    size += utf8Bytes(name) + 6 + utf8Bytes(String(value));
  }
  return size;
}

function validateAttributes(
  path: readonly FieldPathSegment[],
  attributes: unknown,
): Record<string, OutboxAttributeValue> {
  const field = fieldPath(...path);
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new OutboxInputError(field, 'must be an object of string or number values');
  }
  const entries = Object.entries(attributes);
  if (entries.length > 10) throw new OutboxInputError(field, `SQS allows 10 attributes, got ${entries.length}`);
  // Object.defineProperty (below) keeps a `__proto__` name as an own attribute, not a prototype.
  const result: Record<string, OutboxAttributeValue> = {};
  for (const [name, value] of entries) {
    const at = fieldPath(...path, name);
    if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws|amazon)\./i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw new OutboxInputError(at, 'is not a valid SQS attribute name');
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new OutboxInputError(at, 'must be a finite number');
      const magnitude = Math.abs(value);
      if (magnitude > NUMBER_MAX || (magnitude !== 0 && magnitude < NUMBER_MIN)) {
        throw new OutboxInputError(at, 'must be 0 or between 1e-128 and 1e126 in magnitude (SQS)');
      }
    } else if (typeof value !== 'string' || value.length === 0) {
      throw new OutboxInputError(at, 'must be a non-empty string or a number');
    } else {
      const problem = sqsTextProblem(value);
      if (problem !== undefined) throw new OutboxInputError(at, problem);
    }
    Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/**
 * Checks one message completely (throws a typed error naming the field: `path` is where the message
 * is, `['messages', 2]` or `['message']`) and serialises it.
 */
export function validateMessage(
  path: readonly FieldPathSegment[],
  message: unknown,
  maxMessageBytes: number,
  active?: TraceContextHeaders,
): ValidatedMessage {
  const field = fieldPath(...path);
  const at = (name: string) => fieldPath(...path, name);
  if (typeof message !== 'object' || message === null) throw new OutboxInputError(field, 'must be an object');
  // Each field is read once: a getter cannot hand validation one value and the INSERT another.
  const {
    destination,
    groupKey,
    delaySeconds,
    body,
    attributes: rawAttributes,
    traceparent: rawTraceparent,
    tracestate: rawTracestate,
  } = message as Record<string, unknown>;
  if (typeof destination !== 'string' || !DESTINATION.test(destination)) {
    throw new OutboxInputError(at('destination'), 'must be 1-256 printable ASCII characters');
  }
  if (groupKey !== undefined && (typeof groupKey !== 'string' || !GROUP_KEY.test(groupKey))) {
    throw new OutboxInputError(at('groupKey'), 'must be 1-128 printable ASCII characters');
  }
  if (
    delaySeconds !== undefined &&
    (typeof delaySeconds !== 'number' || !Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900)
  ) {
    throw new OutboxInputError(at('delaySeconds'), 'must be an integer from 0 to 900');
  }
  let bodyJson: string | undefined;
  try {
    bodyJson = JSON.stringify(body);
  } catch (error) {
    throw new OutboxInputError(at('body'), `is not JSON-serialisable (${(error as Error).message})`);
  }
  if (bodyJson === undefined) throw new OutboxInputError(at('body'), 'is not JSON-serialisable');
  const bodyProblem = sqsJsonTextProblem(bodyJson);
  if (bodyProblem !== undefined) throw new OutboxInputError(at('body'), bodyProblem);
  if (rawTraceparent !== undefined) {
    const problem = traceparentProblem(rawTraceparent);
    if (problem !== undefined) throw new OutboxInputError(at('traceparent'), problem);
  }
  if (rawTracestate !== undefined) {
    const problem = tracestateProblem(rawTracestate);
    if (problem !== undefined) throw new OutboxInputError(at('tracestate'), problem);
    if (rawTraceparent === undefined) throw new OutboxInputError(at('tracestate'), 'needs a traceparent');
  }
  const attributes = rawAttributes === undefined ? {} : validateAttributes([...path, 'attributes'], rawAttributes);
  const size = messageSizeBytes(bodyJson, attributes);
  if (size > maxMessageBytes) throw new OutboxMessageTooLargeError(field, size, maxMessageBytes);
  // The trace context never makes an enqueue fail: what would not fit beside the message is left out
  // (tracestate first, then traceparent).
  let trace: { traceparent: string | null; tracestate: string | null } =
    typeof rawTraceparent === 'string'
      ? { traceparent: rawTraceparent, tracestate: typeof rawTracestate === 'string' ? rawTracestate : null }
      : { traceparent: active?.traceparent ?? null, tracestate: active?.tracestate ?? null };
  const count = Object.keys(attributes).length;
  if (trace.tracestate !== null && size + messageSizeBytes('', traceAttributes(count, trace)) > maxMessageBytes) {
    trace = { ...trace, tracestate: null };
  }
  if (trace.traceparent !== null && size + messageSizeBytes('', traceAttributes(count, trace)) > maxMessageBytes) {
    trace = { traceparent: null, tracestate: null };
  }
  return {
    destination,
    groupKey: typeof groupKey === 'string' ? groupKey : null,
    bodyJson,
    attributesJson: Object.keys(attributes).length === 0 ? null : JSON.stringify(attributes),
    delaySeconds: typeof delaySeconds === 'number' ? delaySeconds : null,
    traceparent: trace.traceparent,
    tracestate: trace.tracestate,
  };
}
