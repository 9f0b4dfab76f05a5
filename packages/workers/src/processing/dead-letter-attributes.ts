import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { utf8Bytes } from '@checkout/core';

/** Message attribute names the workers add when they park a message in a DLQ. */
export const DLQ_ATTRIBUTES = {
  reason: 'checkout-dlq-reason',
  error: 'checkout-dlq-error',
  receiveCount: 'checkout-dlq-receive-count',
  source: 'checkout-dlq-source',
  failedAt: 'checkout-dlq-failed-at',
  /** Set only when the original attributes did not fit beside ours (SQS allows 10 per message). */
  originalAttributes: 'checkout-dlq-original-attributes',
} as const;

const SQS_MAX_ATTRIBUTES = 10;
const OURS = new Set<string>(Object.values(DLQ_ATTRIBUTES));
/** Longest error text we record, in UTF-16 units (before any cut to fit the size limit). */
const MAX_ERROR_CHARS = 1024;

/** SQS's maximum message size (body plus message attributes) since 2025: 1 MiB. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** Why a message is in a DLQ: what the workers wrote, or `max-receive-count` (moved by SQS). */
export interface DeadLetterAnnotation {
  readonly reason: string;
  readonly error: string;
  readonly receiveCount: number;
  readonly source: string;
  readonly failedAt: string;
}

/**
 * Bytes SQS counts for one message attribute: name + data type + value, in UTF-8. A binary value is
 * counted at its base64 length (at least its raw size, which SQS counts; some emulators count the
 * base64), so the estimate is never below what either side counts.
 */
export function attributeBytes(name: string, value: MessageAttributeValue): number {
  let bytes = utf8Bytes(name) + utf8Bytes(value.DataType ?? '');
  if (value.StringValue !== undefined) bytes += utf8Bytes(value.StringValue);
  if (value.BinaryValue !== undefined) bytes += Math.ceil(value.BinaryValue.byteLength / 3) * 4;
  return bytes;
}

/** Bytes SQS counts against its message size limit: body plus every attribute (see {@link attributeBytes}). */
export function messageBytes(body: string, attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let bytes = utf8Bytes(body);
  for (const [name, value] of Object.entries(attributes)) bytes += attributeBytes(name, value);
  return bytes;
}

/**
 * Our own text (error messages, queue URLs) made safe for SQS: characters it refuses (control
 * characters, U+FFFE/U+FFFF, unpaired surrogates) become U+FFFD, and so do characters outside the
 * Basic Multilingual Plane, which SQS accepts but some emulators refuse: a DLQ send must not fail
 * because of an error message.
 */
function sqsSafe(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '\uFFFD');
}

/** The longest prefix of `text` (already {@link sqsSafe}) whose UTF-8 form fits in `maxBytes`. */
function cutToBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Bytes(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: sqsSafe(value) || '-' });

function pack(entries: ReadonlyArray<readonly [string, MessageAttributeValue]>): MessageAttributeValue {
  const packed = Object.fromEntries(
    entries.map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      },
    ]),
  );
  return { DataType: 'String', StringValue: JSON.stringify(packed) };
}

/**
 * Our attributes plus the original ones (packed into one JSON attribute when they would not fit the
 * 10-attribute limit), within `budgetBytes` (the size limit minus the body's bytes). What does not
 * fit is left out, in this order of sacrifice: error detail (cut, then dropped), original attributes
 * (largest first; the error text then names them), failed-at, source, receive count. The reason is
 * never cut: `undefined` means not even the reason fits, and the message must be parked bare.
 */
export function deadLetterAttributes(
  original: Readonly<Record<string, MessageAttributeValue>>,
  annotation: DeadLetterAnnotation,
  budgetBytes = Number.POSITIVE_INFINITY,
): Record<string, MessageAttributeValue> | undefined {
  const out: Record<string, MessageAttributeValue> = {};
  let used = 0;
  const add = (name: string, value: MessageAttributeValue): boolean => {
    const size = attributeBytes(name, value);
    if (used + size > budgetBytes) return false;
    // defineProperty: an original attribute named `__proto__` stays an attribute, not a prototype.
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    used += size;
    return true;
  };
  if (!add(DLQ_ATTRIBUTES.reason, string(annotation.reason))) return undefined;
  add(DLQ_ATTRIBUTES.receiveCount, { DataType: 'Number', StringValue: String(annotation.receiveCount) });
  add(DLQ_ATTRIBUTES.source, string(annotation.source));
  add(DLQ_ATTRIBUTES.failedAt, string(annotation.failedAt));

  const sizeOf = (entries: ReadonlyArray<readonly [string, MessageAttributeValue]>, packed: boolean) =>
    packed
      ? attributeBytes(DLQ_ATTRIBUTES.originalAttributes, pack(entries))
      : entries.reduce((sum, [name, value]) => sum + attributeBytes(name, value), 0);
  // Smallest first, so that dropping from the end drops the largest.
  let kept = Object.entries(original)
    .filter(([name]) => !OURS.has(name))
    .sort((a, b) => attributeBytes(...a) - attributeBytes(...b));
  const dropped: string[] = [];
  while (kept.length > 0) {
    // One slot stays free for the error attribute.
    const packed = kept.length > SQS_MAX_ATTRIBUTES - Object.keys(out).length - 1;
    if (used + sizeOf(kept, packed) <= budgetBytes) {
      if (packed) add(DLQ_ATTRIBUTES.originalAttributes, pack(kept));
      else for (const [name, value] of kept) add(name, value);
      break;
    }
    const last = kept[kept.length - 1];
    if (last !== undefined) dropped.unshift(last[0]);
    kept = kept.slice(0, -1);
  }

  const note =
    dropped.length === 0 ? '' : ` [original attributes dropped to fit the size limit: ${dropped.join(', ')}]`;
  const detail = sqsSafe(annotation.error.slice(0, MAX_ERROR_CHARS));
  const room = budgetBytes - used - attributeBytes(DLQ_ATTRIBUTES.error, { DataType: 'String', StringValue: '' });
  const noteBytes = utf8Bytes(sqsSafe(note));
  const error =
    room >= noteBytes + 1
      ? cutToBytes(detail, room - noteBytes) + sqsSafe(note)
      : cutToBytes(detail + sqsSafe(note), room);
  add(DLQ_ATTRIBUTES.error, { DataType: 'String', StringValue: error || '-' });
  return out;
}

/** Reads our annotation back; `reason` is `max-receive-count` for messages SQS moved itself. */
export function readDeadLetterAnnotation(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): DeadLetterAnnotation | undefined {
  const reason = attributes[DLQ_ATTRIBUTES.reason]?.StringValue;
  if (reason === undefined) return undefined;
  return {
    reason,
    error: attributes[DLQ_ATTRIBUTES.error]?.StringValue ?? '',
    receiveCount: Number(attributes[DLQ_ATTRIBUTES.receiveCount]?.StringValue ?? 0),
    source: attributes[DLQ_ATTRIBUTES.source]?.StringValue ?? '',
    failedAt: attributes[DLQ_ATTRIBUTES.failedAt]?.StringValue ?? '',
  };
}

/** The attributes the message had before it was parked (ours removed, packed ones restored). */
export function originalAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): Record<string, MessageAttributeValue> {
  const packed = attributes[DLQ_ATTRIBUTES.originalAttributes]?.StringValue;
  if (packed !== undefined) {
    const parsed = JSON.parse(packed) as Record<
      string,
      { DataType?: string; StringValue?: string; BinaryValue?: string }
    >;
    return Object.fromEntries(
      Object.entries(parsed).map(([name, value]) => [
        name,
        {
          DataType: value.DataType,
          ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
          ...(value.BinaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.BinaryValue, 'base64') }),
        },
      ]),
    );
  }
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !OURS.has(name)));
}
