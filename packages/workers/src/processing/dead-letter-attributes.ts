import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

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

/** Why a message is in a DLQ: what the workers wrote, or `max-receive-count` (moved by SQS). */
export interface DeadLetterAnnotation {
  readonly reason: string;
  readonly error: string;
  readonly receiveCount: number;
  readonly source: string;
  readonly failedAt: string;
}

const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || '-' });

/** Our attributes plus the original ones (packed into one JSON attribute when they would not fit). */
export function deadLetterAttributes(
  original: Readonly<Record<string, MessageAttributeValue>>,
  annotation: DeadLetterAnnotation,
): Record<string, MessageAttributeValue> {
  const ours: Record<string, MessageAttributeValue> = {
    [DLQ_ATTRIBUTES.reason]: string(annotation.reason),
    [DLQ_ATTRIBUTES.error]: string(annotation.error.slice(0, 1024)),
    [DLQ_ATTRIBUTES.receiveCount]: { DataType: 'Number', StringValue: String(annotation.receiveCount) },
    [DLQ_ATTRIBUTES.source]: string(annotation.source),
    [DLQ_ATTRIBUTES.failedAt]: string(annotation.failedAt),
  };
  const kept = Object.entries(original).filter(([name]) => !OURS.has(name));
  if (kept.length + Object.keys(ours).length <= SQS_MAX_ATTRIBUTES) {
    return { ...Object.fromEntries(kept), ...ours };
  }
  const packed = Object.fromEntries(
    kept.map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      },
    ]),
  );
  return { ...ours, [DLQ_ATTRIBUTES.originalAttributes]: string(JSON.stringify(packed)) };
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
