/**
 * What kind of transient infrastructure failure {@link transientFailure} recognised:
 * - `connection`: no connection, or it broke (refused, reset, terminated, the server shutting down);
 * - `timeout`: a bounded wait ran out (connect, pool checkout, statement, request);
 * - `overloaded`: the dependency refused the work for now (too many connections, throttling, HTTP 429);
 * - `unavailable`: the dependency answered that it cannot serve right now (HTTP 5xx, a read-only
 *   Postgres during a failover).
 */
export type TransientFailureKind = 'connection' | 'timeout' | 'overloaded' | 'unavailable';

/** A transient infrastructure failure: worth retrying later, with the same idempotency key. */
export interface TransientFailure {
  readonly kind: TransientFailureKind;
  /**
   * What was recognised, for logs and metrics: `SQLSTATE 57P01`, `ECONNREFUSED`, `TimeoutError`,
   * `HTTP 503`, `pg: Connection terminated unexpectedly`. Never the error's message text.
   */
  readonly reason: string;
}

/**
 * Postgres SQLSTATEs that mean "the server or the connection is not available now", not "this
 * statement is wrong". Class 08 (connection exception) is matched by prefix.
 *
 * Deliberately absent: `40001` (serialization_failure) and `40P01` (deadlock_detected). They are
 * conflicts between transactions on a healthy database: retry the transaction in process (it usually
 * succeeds at once), and answer 409 rather than "the database is down" if you give up.
 */
const POSTGRES_TRANSIENT: Readonly<Record<string, TransientFailureKind>> = {
  '57P01': 'connection', // admin_shutdown: the backend was terminated (restart, failover, pg_terminate_backend)
  '57P02': 'connection', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now: starting up, shutting down, in recovery
  '53300': 'overloaded', // too_many_connections
  '53400': 'overloaded', // configuration_limit_exceeded
  '57014': 'timeout', // query_canceled: statement_timeout (or a cancel request)
  '55P03': 'timeout', // lock_not_available: lock_timeout
  '25006': 'unavailable', // read_only_sql_transaction: a writer demoted during a failover (stale DNS)
  '25P03': 'timeout', // idle_in_transaction_session_timeout
};

/** Node socket errors (`error.code`) of a dependency that is unreachable or went away. */
const SOCKET_TRANSIENT: Readonly<Record<string, TransientFailureKind>> = {
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  ECONNABORTED: 'connection',
  EPIPE: 'connection',
  EHOSTUNREACH: 'connection',
  ENETUNREACH: 'connection',
  ENETDOWN: 'connection',
  EAI_AGAIN: 'connection', // temporary DNS failure (ENOTFOUND is not: a wrong host name stays wrong)
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout', // undici (fetch)
  UND_ERR_SOCKET: 'connection',
};

/**
 * Errors of `pg` and `pg-pool` that carry no code, only a message. Matched exactly, and only on errors
 * without a code.
 */
const PG_MESSAGES: readonly (readonly [string, TransientFailureKind])[] = [
  ['Connection terminated due to connection timeout', 'timeout'], // pg-pool: connectionTimeoutMillis
  ['timeout exceeded when trying to connect', 'timeout'], // pg-pool: no free client in connectionTimeoutMillis
  ['Query read timeout', 'timeout'], // pg: query_timeout
  ['Connection terminated unexpectedly', 'connection'], // pg: the server or the network closed the socket
  ['Connection terminated', 'connection'],
  ['timeout expired', 'timeout'], // pg: connect timeout of a lone Client
  ['Client has encountered a connection error and is not queryable', 'connection'],
  ['Client was closed and is not queryable', 'connection'],
];

/** Names of AWS SDK v3 errors that mean throttling or a transient server state. */
const AWS_TRANSIENT_NAMES: Readonly<Record<string, TransientFailureKind>> = {
  TimeoutError: 'timeout', // @smithy/node-http-handler: connectionTimeout / requestTimeout
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
  ThrottlingException: 'overloaded',
  Throttling: 'overloaded',
  ThrottledException: 'overloaded',
  TooManyRequestsException: 'overloaded',
  ProvisionedThroughputExceededException: 'overloaded',
  RequestLimitExceeded: 'overloaded',
  RequestThrottled: 'overloaded',
  RequestThrottledException: 'overloaded',
  SlowDown: 'overloaded',
  LimitExceededException: 'overloaded',
  InternalServerError: 'unavailable',
  InternalFailure: 'unavailable',
  InternalError: 'unavailable',
  ServiceUnavailable: 'unavailable',
  ServiceUnavailableException: 'unavailable',
};

/** How deep `cause` chains (and `AggregateError.errors`) are followed. */
const MAX_DEPTH = 5;

/**
 * Whether `error` is a transient failure of the infrastructure under you (Postgres, the network, an
 * AWS service), and which kind: a retry later, with the same idempotency key, may succeed. Returns
 * `undefined` for everything else (bad SQL, a constraint violation, a conditional check, a
 * validation error, your own bugs), which a retry would repeat.
 *
 * Recognised, without importing any client library (duck-typed, across copies):
 * - Postgres (`pg`'s `DatabaseError`, any object with a 5-character SQLSTATE `code`): class `08`,
 *   `57P01`-`57P03`, `53300`, `53400`, `57014` (`statement_timeout`), `55P03` (`lock_timeout`),
 *   `25006` (read-only: a demoted writer during a failover), `25P03`. Not `40001`/`40P01`: those
 *   are conflicts to retry in process, not outages.
 * - `pg` / `pg-pool` errors without a code: connection timeout, pool checkout timeout
 *   (`timeout exceeded when trying to connect`), `query_timeout` (`Query read timeout`),
 *   `Connection terminated` (unexpectedly or not), a client that is no longer queryable.
 * - Node socket errors: `ECONNREFUSED`, `ECONNRESET`, `ECONNABORTED`, `EPIPE`, `ETIMEDOUT`,
 *   `EHOSTUNREACH`, `ENETUNREACH`, `ENETDOWN`, `EAI_AGAIN`, undici's connect timeout, also inside an
 *   `AggregateError` (Node's happy eyeballs tries every address of `localhost`).
 * - AWS SDK v3: `TimeoutError` (the HTTP handler's `connectionTimeout` / `requestTimeout`),
 *   throttling (`$retryable.throttling`, `ThrottlingException`, `ProvisionedThroughputExceededException`,
 *   HTTP 429, ...), any error the SDK marks `$retryable`, server faults (`$fault: 'server'` or an
 *   HTTP status of 500 or more).
 * - The same wrapped as the `cause` of another error (up to 5 levels).
 *
 * Never throws, also for hostile values (getters that throw).
 *
 * @example
 * ```ts
 * import { transientFailure } from '@checkout/core';
 *
 * const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
 * transientFailure(refused); // { kind: 'connection', reason: 'ECONNREFUSED' }
 * transientFailure(new Error('duplicate key')); // undefined
 * ```
 */
export function transientFailure(error: unknown): TransientFailure | undefined {
  try {
    return classify(error, 0, new Set());
  } catch {
    return undefined;
  }
}

function classify(error: unknown, depth: number, seen: Set<unknown>): TransientFailure | undefined {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null || seen.has(error)) return undefined;
  seen.add(error);
  const found = classifyOne(error);
  if (found !== undefined) return found;
  const errors: unknown = Reflect.get(error, 'errors');
  if (error instanceof AggregateError && Array.isArray(errors)) {
    for (const inner of errors.slice(0, 10)) {
      const innerFound = classify(inner, depth + 1, seen);
      if (innerFound !== undefined) return innerFound;
    }
  }
  return classify(Reflect.get(error, 'cause'), depth + 1, seen);
}

function classifyOne(error: object): TransientFailure | undefined {
  const code: unknown = Reflect.get(error, 'code');
  // Socket codes first: `EPIPE` has the shape of a SQLSTATE too.
  if (typeof code === 'string' && Object.hasOwn(SOCKET_TRANSIENT, code)) {
    return { kind: SOCKET_TRANSIENT[code] as TransientFailureKind, reason: code };
  }
  // Postgres: a SQLSTATE is five characters of digits and upper-case letters.
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const kind = code.startsWith('08') ? 'connection' : POSTGRES_TRANSIENT[code];
    return kind === undefined ? undefined : { kind, reason: `SQLSTATE ${code}` };
  }
  const aws = classifyAws(error);
  if (aws !== undefined) return aws;
  if (code === undefined && error instanceof Error) {
    const message = error.message;
    for (const [start, kind] of PG_MESSAGES) {
      if (message === start) {
        return { kind, reason: `pg: ${start}` };
      }
    }
  }
  return undefined;
}

function classifyAws(error: object): TransientFailure | undefined {
  const name: unknown = Reflect.get(error, 'name');
  if (typeof name === 'string' && Object.hasOwn(AWS_TRANSIENT_NAMES, name)) {
    return { kind: AWS_TRANSIENT_NAMES[name] as TransientFailureKind, reason: name };
  }
  const metadata: unknown = Reflect.get(error, '$metadata');
  const retryable: unknown = Reflect.get(error, '$retryable');
  const fault: unknown = Reflect.get(error, '$fault');
  const status: unknown =
    typeof metadata === 'object' && metadata !== null ? Reflect.get(metadata, 'httpStatusCode') : undefined;
  const label = typeof name === 'string' && /^[A-Za-z0-9_.:-]{1,100}$/.test(name) ? name : 'AWS error';
  if (typeof retryable === 'object' && retryable !== null) {
    return Reflect.get(retryable, 'throttling') === true
      ? { kind: 'overloaded', reason: label }
      : { kind: 'unavailable', reason: label };
  }
  if (status === 429) return { kind: 'overloaded', reason: 'HTTP 429' };
  // Only for an AWS SDK error (it carries `$metadata` or `$fault`): a 5xx or a server fault.
  if (metadata !== undefined || fault !== undefined) {
    if (typeof status === 'number' && status >= 500 && status <= 599) {
      return { kind: 'unavailable', reason: `HTTP ${status}` };
    }
    if (fault === 'server') return { kind: 'unavailable', reason: label };
  }
  return undefined;
}
