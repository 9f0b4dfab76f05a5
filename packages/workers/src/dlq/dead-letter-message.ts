import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { readDeadLetterAnnotation } from '../processing/dead-letter-attributes.js';
import { numericAttribute } from '../processing/inbound-message.js';

/** Reason recorded for messages SQS moved itself (redrive policy: `maxReceiveCount` exceeded). */
export const MAX_RECEIVE_COUNT_REASON = 'max-receive-count';

/** One message found in a DLQ, with why it is there. Bodies stay out of logs: read them here. */
export interface DeadLetterMessage {
  readonly sqsMessageId: string;
  readonly body: string;
  /** Command type from the envelope, when the body is JSON with a `type`. */
  readonly type: string | undefined;
  /** Envelope `orderId`, when present. */
  readonly orderId: string | undefined;
  /** `poison:<kind>`, `permanent`, or `max-receive-count` for messages SQS moved itself. */
  readonly reason: string;
  /** The error message recorded by the worker ('' for `max-receive-count`). */
  readonly error: string;
  /** Deliveries before it was parked (0 when unknown). */
  readonly receiveCount: number;
  /** When it entered the DLQ (our `failedAt`, else `SentTimestamp`). */
  readonly deadLetteredAt: Date | undefined;
  /** FIFO group, when the DLQ is FIFO. */
  readonly messageGroupId: string | undefined;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** Builds a {@link DeadLetterMessage} from a received DLQ message. */
export function toDeadLetterMessage(message: Message): DeadLetterMessage | undefined {
  if (message.MessageId === undefined) return undefined;
  const attributes = message.MessageAttributes ?? {};
  const annotation = readDeadLetterAnnotation(attributes);
  const body = message.Body ?? '';
  let type: string | undefined;
  let orderId: string | undefined;
  try {
    const parsed = JSON.parse(body) as { type?: unknown; orderId?: unknown };
    if (typeof parsed?.type === 'string') type = parsed.type;
    if (typeof parsed?.orderId === 'string') orderId = parsed.orderId;
  } catch {
    // Unparseable bodies are listed too: reason says so.
  }
  const failedAt = annotation?.failedAt ? Date.parse(annotation.failedAt) : Number.NaN;
  const sent = numericAttribute(message.Attributes?.SentTimestamp);
  const at = Number.isFinite(failedAt) ? failedAt : sent;
  return {
    sqsMessageId: message.MessageId,
    body,
    type,
    orderId,
    reason: annotation?.reason ?? MAX_RECEIVE_COUNT_REASON,
    error: annotation?.error ?? '',
    receiveCount: annotation?.receiveCount ?? numericAttribute(message.Attributes?.ApproximateReceiveCount) ?? 0,
    deadLetteredAt: at === undefined ? undefined : new Date(at),
    messageGroupId: message.Attributes?.MessageGroupId,
    messageAttributes: attributes,
  };
}
