import type { PoisonKind } from '../errors.js';

/** What happened to one delivery. */
export type OutcomeKind =
  /** Handler succeeded; the message is acknowledged. */
  | 'processed'
  /** Transient failure: visibility set to the backoff, redelivered later. */
  | 'retried'
  /** Poison or permanent failure: parked in the DLQ with its reason and acknowledged. */
  | 'dead-lettered'
  /** FIFO: not run because an earlier message of its group failed in this batch. */
  | 'skipped';

/** One delivery's outcome, as reported to a {@link WorkerMetrics} sink. Ids only, never payloads. */
export interface MessageOutcome {
  /** Queue name (last segment of the URL or ARN). */
  readonly queue: string;
  /** Command type when the body decoded far enough. */
  readonly type: string | undefined;
  readonly outcome: OutcomeKind;
  /** Set when the message was poison. */
  readonly poison: PoisonKind | undefined;
  /** Handler time in milliseconds (0 when the handler did not run). */
  readonly latencyMs: number;
  /** Now minus `SentTimestamp`, in milliseconds, when known. */
  readonly ageMs: number | undefined;
  readonly receiveCount: number;
}

/** Approximate queue depth from `GetQueueAttributes`. */
export interface QueueSnapshot {
  readonly queue: string;
  /** `ApproximateNumberOfMessages`: waiting to be received. */
  readonly visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted. */
  readonly inFlight: number;
  /** `ApproximateNumberOfMessagesDelayed`. */
  readonly delayed: number;
}

/** Where workers report. `createEmfMetrics()` is the default; pass your own to route elsewhere. */
export interface WorkerMetrics {
  /** Called once per delivery, synchronously; must not throw (errors are swallowed). */
  recordOutcome(outcome: MessageOutcome): void;
  /** Called with each queue snapshot the consumer takes. */
  recordQueueSnapshot(snapshot: QueueSnapshot): void;
  /** Called at the end of each Lambda invocation, periodically by the consumer, and on `stop()`. */
  flush(): Promise<void>;
}

/** A sink that drops everything (`metrics: false`). */
export const noMetrics: WorkerMetrics = Object.freeze({
  recordOutcome: () => {},
  recordQueueSnapshot: () => {},
  flush: () => Promise.resolve(),
});

/** Last path segment of a queue URL, or the name in a queue ARN. */
export function queueNameOf(urlOrArn: string): string {
  const separator = urlOrArn.startsWith('arn:') ? ':' : '/';
  return urlOrArn.slice(urlOrArn.lastIndexOf(separator) + 1);
}

/** Calls a user sink without letting it break message processing. */
export function safely(action: () => void): void {
  try {
    action();
  } catch {
    // A metrics sink must never fail a message; the sink's own logs are the place for its errors.
  }
}
