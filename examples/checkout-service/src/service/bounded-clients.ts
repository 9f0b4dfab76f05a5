import { Socket } from 'node:net';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { deferBegin } from './deferred-begin.js';
import { prepareStatements } from './prepared-statements.js';

/**
 * The bounds of every Postgres wait of this service, one set for the local processes and the Lambda
 * containers (`createBoundedPool`). Each wait ends with an error that `transientFailure` (core)
 * recognises, so the API answers 503 + `Retry-After` and the workers retry the message:
 *
 * - `connectionTimeoutMs`: a pool checkout (waiting for a free client) and a new connection's
 *   handshake (`connectionTimeoutMillis`): a database that refuses or does not answer.
 * - `statementTimeoutMs`: the server cancels a statement running longer (`statement_timeout`,
 *   SQLSTATE 57014); the relay's claim sets its own, longer one for its transaction.
 * - `queryTimeoutMs`: the client gives up on an answer that never comes (`query_timeout`: a
 *   blackholed network, a frozen server), and the connection is then destroyed, never reused.
 * - `idleInTransactionMs`: the server ends a session idle inside a transaction
 *   (`idle_in_transaction_session_timeout`), so a client that vanished mid-transaction (a frozen
 *   container, a partition) releases its row locks, the idempotency key's among them.
 * - `keepAliveInitialDelayMs`: TCP keepalive on every connection, so a peer that vanished without a
 *   FIN is noticed on idle connections too.
 */
export const POSTGRES_BOUNDS = {
  connectionTimeoutMs: 2_000,
  statementTimeoutMs: 5_000,
  queryTimeoutMs: 6_000,
  idleInTransactionMs: 10_000,
  keepAliveInitialDelayMs: 10_000,
} as const;

/**
 * Statements a connection keeps prepared when it goes straight to Postgres (the local processes):
 * a bench run of the whole flow (API, workers, relay) prepares 19, so every one fits with room to
 * spare. Off (0) behind RDS Proxy, as in the Lambda containers: a named statement pins the session.
 */
export const DIRECT_PREPARED_STATEMENTS = 64;

/** Options of {@link createBoundedPool}: any `pg.Pool` option but the bounds, which are fixed. */
export type BoundedPoolOptions = Omit<
  pg.PoolConfig,
  | 'connectionTimeoutMillis'
  | 'statement_timeout'
  | 'query_timeout'
  | 'idle_in_transaction_session_timeout'
  | 'keepAlive'
  | 'keepAliveInitialDelayMillis'
> & {
  /**
   * Called with the errors of connections that broke outside a query (idle in the pool, or checked
   * out between two queries). Default: ignored; the pool drops the connection either way.
   */
  readonly onError?: (error: Error) => void;
  /**
   * Statements each connection keeps prepared on the server (`prepareStatements`): its first
   * `preparedStatements` distinct parameterized statements are planned once per connection instead of
   * at every call. Only on a direct connection: through RDS Proxy a named statement pins the session.
   * Default 0 (off).
   */
  readonly preparedStatements?: number;
  /**
   * Sends each transaction's `BEGIN` with its first statement (`deferBegin`): one write and one round
   * trip fewer per transaction. Default false: the local processes turn it on; the Lambda containers,
   * behind RDS Proxy (where it has not been tried), leave it off.
   */
  readonly deferBegin?: boolean;
};

const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * A query whose answer never came (`query_timeout`) leaves `pg`'s client waiting for it: every later
 * query on that client would queue behind it. Destroy the socket instead, so the client is not
 * queryable any more and the pool drops it on release; the next checkout opens a fresh connection.
 */
function destroyOnReadTimeout(client: pg.PoolClient): void {
  const destroy = (error: unknown) => {
    if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) {
      // pg's own way out of a lost answer (it does the same for a pipelined query).
      const connection: unknown = Reflect.get(client, 'connection');
      const stream: unknown =
        typeof connection === 'object' && connection !== null ? Reflect.get(connection, 'stream') : undefined;
      if (stream instanceof Socket) stream.destroy();
    }
  };
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const bounded = (...args: unknown[]): unknown => {
    const last = args.length > 0 ? args[args.length - 1] : undefined;
    if (typeof last === 'function') {
      const callback = last as (error: unknown, ...rest: unknown[]) => void;
      return query(...args.slice(0, -1), (error: unknown, ...rest: unknown[]) => {
        destroy(error);
        callback(error, ...rest);
      });
    }
    const result = query(...args);
    if (result instanceof Promise) result.catch(destroy);
    return result;
  };
  Reflect.set(client, 'query', bounded);
}

/**
 * The one way this service makes a `pg.Pool` (local processes, the checkout environment, the Lambda
 * containers): `options` plus {@link POSTGRES_BOUNDS}. The pool recovers from a database outage or
 * failover without a restart: a broken or timed-out connection is dropped, never handed out again,
 * and the next checkout connects anew; a connection's error (idle or checked out) never crashes the
 * process.
 */
export function createBoundedPool(options: BoundedPoolOptions): pg.Pool {
  const { onError, preparedStatements = 0, deferBegin: deferring = false, ...config } = options;
  const prepare = prepareStatements(preparedStatements);
  const pool = new pg.Pool({
    ...config,
    connectionTimeoutMillis: POSTGRES_BOUNDS.connectionTimeoutMs,
    statement_timeout: POSTGRES_BOUNDS.statementTimeoutMs,
    query_timeout: POSTGRES_BOUNDS.queryTimeoutMs,
    idle_in_transaction_session_timeout: POSTGRES_BOUNDS.idleInTransactionMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: POSTGRES_BOUNDS.keepAliveInitialDelayMs,
  });
  const reportError = (error: Error) => onError?.(error);
  // A BEGIN still waiting when its client goes back (a transaction never ended) is forgotten.
  const forgetBegin = new WeakMap<pg.PoolClient, () => void>();
  pool.on('connect', (client) => {
    // Innermost, so the read-timeout and prepared-statement wrappers see its calls as any other.
    if (deferring) forgetBegin.set(client, deferBegin(client));
    destroyOnReadTimeout(client);
    prepare(client);
    // pg emits 'error' on a client whose connection ends unexpectedly, also while it is checked
    // out (pg-pool listens only while it is idle): without a listener that is an uncaught
    // exception, and a database restart would crash the process. The pool drops the client on
    // release (it is no longer queryable); the query in flight fails on its own.
    client.on('error', reportError);
  });
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => forgetBegin.get(client)?.());
  pool.on('error', reportError);
  return pool;
}

/**
 * The bounds of every AWS call of this service (DynamoDB, SQS), for `boundedDynamoDbConfig` and
 * `boundedSqsConfig`:
 *
 * - `connectionTimeoutMs`: the TCP (and TLS) connect of the SDK's HTTP handler.
 * - `requestTimeoutMs`: the whole request, with `throwOnRequestTimeout` (without it,
 *   `@smithy/node-http-handler` only logs a warning when `requestTimeout` passes and keeps waiting).
 *   SQS gets more than its longest long poll (20 s); the packages bound their own receives tighter.
 * - `maxAttempts`: tries per call (the SDK's retry strategy backs off between them).
 *
 * A DynamoDB call therefore ends within about `maxAttempts * requestTimeoutMs` plus backoff; the
 * checkout API bounds its best-effort cart snapshot tighter still (see `CHECKOUT_BUDGET`).
 */
export const AWS_BOUNDS = {
  dynamodb: { connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000, maxAttempts: 3 },
  sqs: { connectionTimeoutMs: 2_000, requestTimeoutMs: 25_000, maxAttempts: 3 },
} as const;

interface HttpBounds {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

function bounded<C extends { requestHandler?: unknown; maxAttempts?: unknown }>(config: C, bounds: HttpBounds): C {
  const given = config.requestHandler;
  // A plain options object (an agent's maxSockets, ...) keeps its settings; a handler instance is
  // replaced: its timeouts are not ours to read.
  const base = typeof given === 'object' && given !== null && given.constructor === Object ? given : {};
  return {
    ...config,
    maxAttempts: bounds.maxAttempts,
    requestHandler: {
      ...base,
      connectionTimeout: bounds.connectionTimeoutMs,
      requestTimeout: bounds.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * `config` (endpoint, region, credentials) with {@link AWS_BOUNDS}.dynamodb: the one DynamoDB
 * client configuration of the local processes and the Lambda containers.
 */
export function boundedDynamoDbConfig(config: DynamoDBClientConfig = {}): DynamoDBClientConfig {
  return bounded(config, AWS_BOUNDS.dynamodb);
}

/** `config` with {@link AWS_BOUNDS}.sqs: the one SQS client configuration of this service. */
export function boundedSqsConfig(config: SQSClientConfig = {}): SQSClientConfig {
  return bounded(config, AWS_BOUNDS.sqs);
}
