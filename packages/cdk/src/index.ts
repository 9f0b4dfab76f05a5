export {
  type CloudFormationTemplate,
  checkSafetyRails,
  referencedLogicalIds,
  type SafetyRail,
  type SafetyRailViolation,
  WILDCARD_RESOURCE_ACTIONS,
} from './assertions/safety-rails.js';
export {
  CheckoutDashboard,
  type CheckoutDashboardProps,
  DEFAULT_ORDER_STATES,
  ORDER_METRIC_NAMESPACE,
  ORDER_STATE_METRIC,
} from './dashboard/checkout-dashboard.js';
export { CheckoutDatabase, type CheckoutDatabaseProps } from './database/checkout-database.js';
export {
  DEADLINE_METRIC_NAMESPACE,
  DEADLINE_OLDEST_OVERDUE_AGE_METRIC,
  DeadlineSweeperFunction,
  type DeadlineSweeperFunctionProps,
} from './deadline/deadline-sweeper-function.js';
export {
  CheckoutCdkConfigError,
  CheckoutCdkError,
  type CheckoutCdkErrorCode,
  ConcurrencyMisconfiguredError,
  VisibilityTimeoutTooShortError,
} from './errors.js';
export {
  CheckoutFunction,
  type CheckoutFunctionOptions,
  type CheckoutFunctionProps,
} from './function/checkout-function.js';
export { CheckoutQueue, type CheckoutQueueProps } from './queue/checkout-queue.js';
export { OutboxRelayFunction, type OutboxRelayFunctionProps } from './relay/outbox-relay-function.js';
export { OutboxRelayService, type OutboxRelayServiceProps } from './relay/outbox-relay-service.js';
export {
  OUTBOX_METRIC_NAMESPACE,
  OUTBOX_OLDEST_PENDING_AGE_METRIC,
  type OutboxRelaySettings,
} from './relay/relay-settings.js';
export { CheckoutTable, type CheckoutTableProps } from './table/checkout-table.js';
export { IdempotencyTable, type IdempotencyTableProps } from './table/idempotency-table.js';
export { InventoryTable, type InventoryTableProps } from './table/inventory-table.js';
export { validateTableDefinition } from './table/validate-table-definition.js';
export { CheckoutWorker, type CheckoutWorkerProps } from './worker/checkout-worker.js';
