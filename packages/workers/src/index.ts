export {
  type ConsumerStats,
  createSqsConsumer,
  type SqsConsumer,
  type SqsConsumerOptions,
  type StopResult,
} from './consumer/sqs-consumer.js';
export { type DeadLetterMessage, MAX_RECEIVE_COUNT_REASON } from './dlq/dead-letter-message.js';
export { type ListDeadLettersOptions, listDeadLetters } from './dlq/list-dead-letters.js';
export {
  matchesFilter,
  type RedriveAction,
  type RedriveFilter,
  type RedriveOptions,
  type RedriveResult,
  redriveDeadLetters,
} from './dlq/redrive-dead-letters.js';
export { type AnyCommand, type DecodedEnvelope, decode, type EncodeMeta, encode } from './envelope/codec.js';
export { commandKey, sideEffectKey } from './envelope/command-key.js';
export { commandsByDestination } from './envelope/commands-by-destination.js';
export { type CommandDefinition, type CommandSpec, defineCommand, type Upcaster } from './envelope/define-command.js';
export { ENVELOPE_VERSION, type Envelope } from './envelope/envelope.js';
export {
  ConsumerStateError,
  DeadLetterAnnotationDroppedError,
  DeadLetterQueueUnavailableError,
  HandlerTimeoutError,
  InvalidPayloadError,
  PermanentError,
  type PoisonKind,
  PoisonMessageError,
  ReceiveTimeoutError,
  RequestTimeoutError,
  TransientError,
  WorkersConfigError,
  WorkersError,
  type WorkersErrorCode,
} from './errors.js';
export { createEmfMetrics, type EmfMetricsOptions } from './metrics/emf-metrics.js';
export { getQueueSnapshot } from './metrics/queue-snapshot.js';
export {
  type MessageOutcome,
  noMetrics,
  type OutcomeKind,
  type QueueSnapshot,
  type WorkerMetrics,
} from './metrics/worker-metrics.js';
export {
  type CommandContext,
  type CommandHandler,
  type CommandRoute,
  handleCommand,
} from './processing/command-route.js';
export { DLQ_ATTRIBUTES } from './processing/dead-letter-attributes.js';
export type { ProcessingOptions } from './processing/processing-options.js';
export type {
  MessageSettledEvent,
  WorkerErrorEvent,
  WorkerErrorStage,
  WorkerObserver,
} from './processing/worker-error.js';
export type { WorkerTracingOptions } from './tracing/process-span.js';
