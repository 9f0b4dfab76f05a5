import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/** One SQS delivery, normalised from a Lambda record or a `ReceiveMessage` result. */
export interface InboundMessage {
  readonly sqsMessageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentTimestamp: number | undefined;
  readonly messageGroupId: string | undefined;
  /**
   * Earliest time this delivery's receive can have happened (epoch ms): SQS's 12-hour limit on a
   * delivery's visibility counts from the receive, so caps are computed from this lower bound.
   */
  readonly receivedAtMs: number;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  /** The `AWSTraceHeader` system attribute (X-Ray trace header), when the message has one. */
  readonly awsTraceHeader?: string | undefined;
}

/** Parses an SQS numeric system attribute (strings in both APIs). */
export function numericAttribute(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
