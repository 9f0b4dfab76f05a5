import type { PoisonKind } from '../errors.js';
import { WorkersConfigError } from '../errors.js';
import type { OutcomeKind } from '../metrics/worker-metrics.js';

/** Where in the worker an error surfaced. */
export type WorkerErrorStage =
  | 'receive'
  | 'handler'
  | 'delete'
  | 'visibility'
  | 'dead-letter'
  | 'heartbeat'
  | 'snapshot'
  | 'metrics';

/** An error the worker survived and reports instead of stalling silently. */
export interface WorkerErrorEvent {
  readonly stage: WorkerErrorStage;
  readonly error: unknown;
  /** SQS message id, when the error concerns one message. */
  readonly sqsMessageId?: string;
  /** Command type, when known. */
  readonly type?: string;
  /** The envelope's `messageId` (stable across redeliveries), when the body had one. */
  readonly messageId?: string;
  /** The envelope's `orderId`, when the body had one. */
  readonly orderId?: string;
}

/**
 * One delivery done with (`observer.settled`): what happened to it, with the ids to find it by.
 * Ids only, never the body or payload.
 */
export interface MessageSettledEvent {
  /** Queue name (last segment of the URL or ARN). */
  readonly queue: string;
  readonly sqsMessageId: string;
  /** The envelope's `messageId`, when the body had one. */
  readonly messageId?: string;
  /** The envelope's `orderId`, when the body had one. */
  readonly orderId?: string;
  /** Command type, when the body had one. */
  readonly type?: string;
  /** `processed`, `retried`, `dead-lettered`, or `skipped` (FIFO: not run after an earlier failure of its group). */
  readonly outcome: OutcomeKind;
  /** Set when the message was poison. */
  readonly poison?: PoisonKind;
  /** Handler time in milliseconds (0 when the handler did not run). */
  readonly latencyMs: number;
  readonly receiveCount: number;
}

/**
 * Hooks of the Lambda handler and the long-poll consumer (`observer` option of both). Every hook
 * is optional and called synchronously; a hook that throws is ignored (it never breaks processing).
 *
 * @example
 * ```ts
 * import type { WorkerObserver } from '@checkout/workers';
 *
 * const observer: WorkerObserver = {
 *   error: (event) => console.error(`[worker] ${event.stage}`, event.sqsMessageId ?? '', event.error),
 * };
 * ```
 */
export interface WorkerObserver {
  /**
   * An error the worker survived (handler failures, DLQ, visibility, delete or receive calls that
   * failed, metrics). Without it: one `console.error` line per error (stage, SQS message id,
   * error; never the body).
   */
  readonly error?: (event: WorkerErrorEvent) => void;
  /**
   * A delivery was done with: processed, retried later, parked in the DLQ or skipped (one call per
   * delivery, after its outcome is settled with SQS). For per-message logs; metrics go to `metrics`.
   */
  readonly settled?: (event: MessageSettledEvent) => void;
}

const logError = (event: WorkerErrorEvent) =>
  console.error(`[checkout-workers] ${event.stage} error`, event.sqsMessageId ?? '', event.error);

/**
 * Checks an `observer` option and returns the error reporter built from it: `observer.error`, or
 * the default log line; a throwing hook is ignored. Throws `WorkersConfigError` for a bad observer.
 */
export function errorReporter(observer: WorkerObserver | undefined): (event: WorkerErrorEvent) => void {
  if (observer === undefined) return logError;
  if (typeof observer !== 'object' || observer === null) {
    throw new WorkersConfigError('observer', 'must be an object { error?(event), settled?(event) }');
  }
  const hook = observer.error;
  if (hook === undefined) return logError;
  if (typeof hook !== 'function') throw new WorkersConfigError('observer.error', 'must be a function');
  return (event) => {
    try {
      hook.call(observer, event);
    } catch {
      // A hook that throws must not break processing (sqs-consumer #770).
    }
  };
}

/**
 * Checks `observer.settled` and returns the notifier built from it (a no-op without one); a
 * throwing hook is ignored. Throws `WorkersConfigError` for a hook that is not a function.
 */
export function settledNotifier(observer: WorkerObserver | undefined): (event: MessageSettledEvent) => void {
  const hook = observer?.settled;
  if (hook === undefined) return () => {};
  if (typeof hook !== 'function') throw new WorkersConfigError('observer.settled', 'must be a function');
  return (event) => {
    try {
      hook.call(observer, event);
    } catch {
      // A hook that throws must not break processing.
    }
  };
}
