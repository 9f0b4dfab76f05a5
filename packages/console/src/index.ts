export { createConsole } from './console.js';
export { ConsoleConfigError, ConsoleError, type ConsoleErrorCode, ConsoleInputError } from './errors.js';
export type {
  ConsoleAuditEvent,
  ConsoleDeadlines,
  ConsoleFacts,
  ConsoleObserver,
  ConsoleOperator,
  ConsoleOptions,
  ConsoleOrders,
  ConsoleOutbox,
  ConsoleQueue,
  ConsoleStateStore,
  OperationsConsole,
} from './options.js';
export { CONTENT_SECURITY_POLICY } from './security/headers.js';
