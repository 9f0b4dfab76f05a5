import type { OutboxAttributeValue } from '../enqueue/message.js';

/** One outbox row handed to a publisher. */
export interface PublishEntry {
  /** Outbox row id (decimal string); unique per table, use it as the deduplication id. */
  readonly id: string;
  /** Logical destination, as enqueued. */
  readonly destination: string;
  /** Group key (FIFO `MessageGroupId`), or `null` for an ungrouped message. */
  readonly groupKey: string | null;
  /** The body as JSON text. */
  readonly body: string;
  /** Message attributes, or `null`. */
  readonly attributes: Readonly<Record<string, OutboxAttributeValue>> | null;
  /** SQS `DelaySeconds`, or `null`. */
  readonly delaySeconds: number | null;
  /** 1 on the first try, 2 on the first retry, ... */
  readonly attempt: number;
  /**
   * W3C `traceparent` to send with the message (as the SQS publisher does: message attribute and
   * `AWSTraceHeader`): the context of this entry's publish span, or the context captured at enqueue
   * when no tracer is registered. Absent when the row has no context.
   */
  readonly traceparent?: string;
  /** W3C `tracestate` going with `traceparent`, when there is one. */
  readonly tracestate?: string;
}

/**
 * What happened to one entry: accepted by the destination (with the id it gave the message, when it
 * says), or failed with a reason (kept as `last_error`). A failure with `retryable: true` is the
 * destination not taking anything now (an outage, throttling, a server error, a timeout): the row is
 * retried at the backoff for as long as that lasts and never goes `dead` for it. Any other failure
 * (the entry itself refused: too large, no such queue, access denied) counts toward `maxAttempts`.
 */
export type PublishOutcome =
  | { readonly ok: true; readonly messageId?: string }
  | { readonly ok: false; readonly error: string; readonly retryable?: boolean };

/**
 * Sends outbox rows somewhere. The relay guarantees that one call never holds two entries with the
 * same group key, so a publisher may split a call into parallel requests freely; it must return one
 * outcome per entry, in the order of `entries`. A thrown error counts as a failure of every entry.
 */
export interface OutboxPublisher {
  /**
   * The `messaging.system` of the relay's publish spans (OpenTelemetry semantic conventions, e.g.
   * `aws_sqs`). Optional.
   */
  readonly messagingSystem?: string;
  publish(entries: readonly PublishEntry[], signal: AbortSignal): Promise<readonly PublishOutcome[]>;
}
