import { WorkersConfigError } from '../errors.js';

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
    throw new WorkersConfigError('observer', 'must be an object { error?(event) }');
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
