/** Where in the worker an error surfaced. */
export type WorkerErrorStage =
  | 'receive'
  | 'handler'
  | 'delete'
  | 'visibility'
  | 'dead-letter'
  | 'heartbeat'
  | 'snapshot'
  | 'metrics'
  | 'listener';

/** An error the worker survived and reports instead of stalling silently. */
export interface WorkerErrorEvent {
  readonly stage: WorkerErrorStage;
  readonly error: unknown;
  /** SQS message id, when the error concerns one message. */
  readonly sqsMessageId?: string;
  /** Command type, when known. */
  readonly type?: string;
}
