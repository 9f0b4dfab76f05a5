export {
  AlreadyExistsError,
  EventIdReusedError,
  InvalidMachineError,
  InvalidTransitionError,
  type InvalidTransitionReason,
  NotFoundError,
  StateMachineConfigError,
  StateMachineError,
  type StateMachineErrorCode,
  StateMachineInputError,
  UnknownStateError,
  VersionConflictError,
} from './errors.js';
export {
  type DeadlinesOf,
  defineMachine,
  type EventNamesOf,
  type GuardNamesOf,
  type GuardsOption,
  type MachineDefinition,
  type TerminalNamesOf,
} from './machine/define-machine.js';
export { allowedEvents, canTransition, type TransitionContext, transition } from './machine/transition.js';
export type {
  AnyMachine,
  DeadlineConfig,
  EventOf,
  Guard,
  GuardInput,
  Machine,
  MachineDeadline,
  MachineTransition,
  StateConfig,
  StateOf,
  TerminalStateOf,
  TransitionConfig,
} from './machine/types.js';
export { toMermaid } from './mermaid/to-mermaid.js';
export {
  createOrderMachine,
  DEFAULT_ORDER_DEADLINES,
  type OrderDeadlines,
  type OrderEvent,
  type OrderState,
  orderMachine,
} from './order/order-machine.js';
export type {
  DeadlineFired,
  DeadlineObserver,
  DeadlineRunOptions,
  DeadlineRunResult,
  DeadlineStats,
  FireDueOptions,
  FireDueResult,
} from './store/deadlines.js';
export type { StateStoreMigrationOptions } from './store/migration.js';
export {
  type AdvanceInput,
  type ApplyInput,
  type CreateInput,
  createStateStore,
  type ForceInput,
  type StateStore,
  type StateStoreOptions,
} from './store/state-store.js';
export type { StateStoreTables } from './store/tables.js';
export type {
  AdvanceApplied,
  AdvanceResult,
  ApplyResult,
  AuditEntry,
  AuditKind,
  JsonValue,
  Snapshot,
  StateChange,
} from './store/types.js';
