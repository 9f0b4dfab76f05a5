import { InvalidOutboxMessageError, OutboxMessageTooLargeError } from '../errors.js';
import { jsonTextProblem, textProblem } from './sqs-text.js';

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
}

/** A message after validation, in the shape it is stored. Internal. */
export interface ValidatedMessage {
  readonly destination: string;
  readonly groupKey: string | null;
  readonly bodyJson: string;
  readonly attributesJson: string | null;
  readonly delaySeconds: number | null;
}

/** A destination: 1-256 printable ASCII characters. */
export const DESTINATION = /^[\x21-\x7e]{1,256}$/;
/** A group key: 1-128 printable ASCII characters (SQS's `MessageGroupId` rule). */
export const GROUP_KEY = /^[\x21-\x7e]{1,128}$/;
/** SQS's range for `Number` attributes: up to 10^126 in magnitude, and 0 or at least 10^-128. */
const NUMBER_MAX = 1e126;
const NUMBER_MIN = 1e-128;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Bytes SQS counts for a message: body + each attribute's name, data type and value. */
export function messageSizeBytes(bodyJson: string, attributes: Readonly<Record<string, OutboxAttributeValue>>): number {
  let size = Buffer.byteLength(bodyJson, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    // The data type is `String` or `Number`: 6 bytes either way.
    size += Buffer.byteLength(name, 'utf8') + 6 + Buffer.byteLength(String(value), 'utf8');
  }
  return size;
}

function validateAttributes(field: string, attributes: unknown): Record<string, OutboxAttributeValue> {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new InvalidOutboxMessageError(field, 'must be an object of string or number values');
  }
  const entries = Object.entries(attributes);
  if (entries.length > 10)
    throw new InvalidOutboxMessageError(field, `SQS allows 10 attributes, got ${entries.length}`);
  // Object.defineProperty (below) keeps a `__proto__` name as an own attribute, not a prototype.
  const result: Record<string, OutboxAttributeValue> = {};
  for (const [name, value] of entries) {
    if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws|amazon)\./i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw new InvalidOutboxMessageError(`${field}.${name}`, 'is not a valid SQS attribute name');
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new InvalidOutboxMessageError(`${field}.${name}`, 'must be a finite number');
      const magnitude = Math.abs(value);
      if (magnitude > NUMBER_MAX || (magnitude !== 0 && magnitude < NUMBER_MIN)) {
        throw new InvalidOutboxMessageError(
          `${field}.${name}`,
          'must be 0 or between 1e-128 and 1e126 in magnitude (SQS)',
        );
      }
    } else if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidOutboxMessageError(`${field}.${name}`, 'must be a non-empty string or a number');
    } else {
      const problem = textProblem(value);
      if (problem !== undefined) throw new InvalidOutboxMessageError(`${field}.${name}`, problem);
    }
    Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** Checks one message completely (throws a typed error naming the field) and serialises it. */
export function validateMessage(field: string, message: unknown, maxMessageBytes: number): ValidatedMessage {
  if (typeof message !== 'object' || message === null) throw new InvalidOutboxMessageError(field, 'must be an object');
  // Each field is read once: a getter cannot hand validation one value and the INSERT another.
  const { destination, groupKey, delaySeconds, body, attributes: rawAttributes } = message as Record<string, unknown>;
  if (typeof destination !== 'string' || !DESTINATION.test(destination)) {
    throw new InvalidOutboxMessageError(`${field}.destination`, 'must be 1-256 printable ASCII characters');
  }
  if (groupKey !== undefined && (typeof groupKey !== 'string' || !GROUP_KEY.test(groupKey))) {
    throw new InvalidOutboxMessageError(`${field}.groupKey`, 'must be 1-128 printable ASCII characters');
  }
  if (
    delaySeconds !== undefined &&
    (typeof delaySeconds !== 'number' || !Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900)
  ) {
    throw new InvalidOutboxMessageError(`${field}.delaySeconds`, 'must be an integer from 0 to 900');
  }
  let bodyJson: string | undefined;
  try {
    bodyJson = JSON.stringify(body);
  } catch (error) {
    throw new InvalidOutboxMessageError(`${field}.body`, `is not JSON-serialisable (${(error as Error).message})`);
  }
  if (bodyJson === undefined) throw new InvalidOutboxMessageError(`${field}.body`, 'is not JSON-serialisable');
  const bodyProblem = jsonTextProblem(bodyJson);
  if (bodyProblem !== undefined) throw new InvalidOutboxMessageError(`${field}.body`, bodyProblem);
  const attributes = rawAttributes === undefined ? {} : validateAttributes(`${field}.attributes`, rawAttributes);
  const size = messageSizeBytes(bodyJson, attributes);
  if (size > maxMessageBytes) throw new OutboxMessageTooLargeError(field, size, maxMessageBytes);
  return {
    destination,
    groupKey: typeof groupKey === 'string' ? groupKey : null,
    bodyJson,
    attributesJson: Object.keys(attributes).length === 0 ? null : JSON.stringify(attributes),
    delaySeconds: typeof delaySeconds === 'number' ? delaySeconds : null,
  };
}
