export { type BackoffJitter, type BackoffOptions, backoffDelayMs, backoffProblem } from './backoff/backoff.js';
export type { Clock } from './clock/clock.js';
export {
  createTableInput,
  type DynamoCreateTableInput,
  type DynamoKeyAttribute,
  type DynamoTableDefinition,
  type DynamoTimeToLiveInput,
  tableNameProblem,
  timeToLiveInput,
} from './dynamodb/table-definition.js';
export {
  CheckoutError,
  type CheckoutErrorOptions,
  type ErrorDetail,
  isCheckoutError,
} from './errors/checkout-error.js';
export {
  DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
  DependencyUnavailableError,
  type DependencyUnavailableOptions,
  dependencyUnavailable,
} from './errors/dependency-unavailable.js';
export { type FieldPathSegment, fieldPath } from './errors/field-path.js';
export {
  type TransientFailure,
  type TransientFailureKind,
  transientFailure,
} from './errors/transient-failure.js';
export { type CheckoutHttpResponse, MAX_RESPONSE_MESSAGE_CHARS, toHttpResponse } from './http/to-http-response.js';
export { createSchemaSql } from './identifiers/create-schema-sql.js';
export { DEFAULT_SCHEMA, identifierProblem, MAX_IDENTIFIER_LENGTH } from './identifiers/identifier.js';
export type { LambdaContextLike } from './lambda/lambda-context.js';
export { type Otel, otel, tracerRegistered } from './otel/otel-api.js';
export { boundedText } from './text/bounded-text.js';
export { sqsJsonTextProblem, sqsTextProblem, storedTextProblem, utf8Bytes } from './text/text-rules.js';
export {
  MAX_TRACESTATE_CHARS,
  type TraceContextHeaders,
  traceparentFromXray,
  traceparentProblem,
  tracestateProblem,
  xrayTraceHeader,
} from './trace-context/trace-context.js';
