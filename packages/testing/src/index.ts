export type {
  EmbeddedPostgresOptions,
  PostgresRestart,
  RestartPostgresOptions,
} from './embedded/embedded-postgres.js';
export { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded/start-embedded-postgres.js';
export {
  DockerUnavailableError,
  FaultNotTriggeredError,
  JavaNotFoundError,
  ServiceStartError,
  type ServiceStartErrorOptions,
  TestingConfigError,
  TestingError,
  type TestingErrorCode,
  TestingInputError,
} from './errors.js';
export {
  createFaultProxy,
  type FaultCutOptions,
  type FaultLatencyOptions,
  type FaultMode,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
  type FaultProxyTarget,
} from './faults/fault-proxy.js';
export {
  createTestQueue,
  type TestQueue,
  type TestQueueOptions,
  type TestQueueWithDlq,
} from './isolation/test-queue.js';
export { createTestSchema, type TestSchema } from './isolation/test-schema.js';
export { uniqueName } from './isolation/unique-name.js';
export { probeDocker } from './stack/docker-probe.js';
export { planStack, STACK_ENV, type StackPlan, type StackPlanInput } from './stack/plan-stack.js';
export {
  LOCAL_AWS_CREDENTIALS,
  type StartCheckoutStackOptions,
  startCheckoutStack,
} from './stack/start-checkout-stack.js';
export type {
  AwsEndpoint,
  CheckoutStack,
  CheckoutStackInfo,
  LocalAwsCredentials,
  PostgresEndpoint,
  ServiceName,
  ServiceSource,
  StackMode,
} from './stack/types.js';
