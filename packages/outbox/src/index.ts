export type { CleanupOptions } from './admin/cleanup.js';
export type { RequeueDeadFilter } from './admin/requeue-dead.js';
export type { OutboxStats } from './admin/stats.js';
export type { OutboxAttributeValue, OutboxMessage } from './enqueue/message.js';
export {
  OutboxConfigError,
  OutboxError,
  type OutboxErrorCode,
  OutboxInputError,
  OutboxMessageTooLargeError,
  OutboxNotInTransactionError,
  OutboxPublishTimeoutError,
  OutboxRelayStateError,
  OutboxUnknownDestinationError,
} from './errors.js';
export { createOutbox, type Outbox } from './outbox.js';
export type { OutboxPublisher, PublishEntry, PublishOutcome } from './publishers/publisher.js';
export { createSqsPublisher, type SqsPublisherOptions } from './publishers/sqs-publisher.js';
export type { OutboxObserver, RelayRoundResult } from './relay/observer.js';
export {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RelayTotals,
} from './relay/relay.js';
export type { OutboxMigrationOptions } from './table/migration.js';
export { DEFAULT_MAX_MESSAGE_BYTES, type OutboxOptions, type OutboxTable } from './table/outbox-table.js';
