import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { CheckoutDatabase } from '../database/checkout-database.js';
import { CheckoutCdkConfigError, ConcurrencyMisconfiguredError } from '../errors.js';
import { CheckoutFunction, type CheckoutFunctionOptions } from '../function/checkout-function.js';
import { checkInteger, concreteSeconds } from '../internal/duration.js';
import type { CheckoutQueue } from '../queue/checkout-queue.js';
import type { CheckoutTable } from '../table/checkout-table.js';

/** Props of {@link CheckoutWorker}. */
export interface CheckoutWorkerProps extends CheckoutFunctionOptions {
  /** The queue this worker consumes. Its visibility timeout must be >= 6x the function timeout. */
  readonly queue: CheckoutQueue;
  /** Reserved concurrency of the function (>= 2, the event source's minimum). Default: 10. */
  readonly reservedConcurrency?: number;
  /**
   * Most concurrent invocations the SQS poller starts (the per-worker rate limit; 2..1000).
   * Must be <= `reservedConcurrency`. Default: `reservedConcurrency`.
   */
  readonly maxConcurrency?: number;
  /** Records per invocation. Default: 10 (FIFO: at most 10; above 10 needs `maxBatchingWindow`). */
  readonly batchSize?: number;
  /** Wait up to this long to fill a batch (standard queues only). Default: none. */
  readonly maxBatchingWindow?: Duration;
  /** Tables the worker reads and writes (items only). */
  readonly readWriteTables?: ReadonlyArray<CheckoutTable>;
  /** Tables the worker only reads. */
  readonly readTables?: ReadonlyArray<CheckoutTable>;
  /** Postgres access through the RDS Proxy as `user` (puts the function in the database's VPC). */
  readonly database?: {
    readonly database: CheckoutDatabase;
    readonly user: string;
    /** Connect through the read-only endpoint (reporting). Default: read/write endpoint. */
    readonly readOnly?: boolean;
  };
}

/**
 * An SQS consumer Lambda wired with the rails: event source mapping with `ReportBatchItemFailures` and
 * `MaximumConcurrency`, reserved concurrency, visibility timeout checked against the function timeout, and
 * an IAM role holding only: consume on its queue, send on its DLQ (poison routing), item access to its
 * tables, `rds-db:connect` as its database user, writes to its own log group.
 *
 * Environment set for the handler: `CHECKOUT_QUEUE_URL`, `CHECKOUT_DLQ_URL`, `CHECKOUT_TABLE_<ID>` per
 * table (construct id upper-cased), and `CHECKOUT_DB_*` when a database is given.
 */
export class CheckoutWorker extends Construct {
  /** The consumer function (role, log group, reserved concurrency). */
  readonly handler: CheckoutFunction;
  /** The queue it consumes. */
  readonly queue: CheckoutQueue;
  /** The event source (its mapping carries `ReportBatchItemFailures` and `MaximumConcurrency`). */
  readonly eventSource: SqsEventSource;
  /** Effective max concurrency of the event source. */
  readonly maxConcurrency: number;

  constructor(scope: Construct, id: string, props: CheckoutWorkerProps) {
    super(scope, id);
    const path = this.node.path;
    // SQS event sources start at least 2 concurrent invocations, so a worker reserves at least 2.
    const reserved = checkInteger(props.reservedConcurrency ?? 10, 2, 10_000, path, 'reservedConcurrency');
    this.maxConcurrency = checkInteger(props.maxConcurrency ?? reserved, 2, 1000, path, 'maxConcurrency');
    if (this.maxConcurrency > reserved) {
      throw new ConcurrencyMisconfiguredError(path, this.maxConcurrency, reserved);
    }
    const fifo = props.queue.fifo;
    if (fifo && props.maxBatchingWindow !== undefined) {
      throw new CheckoutCdkConfigError(path, 'maxBatchingWindow', 'is not supported for FIFO queues');
    }
    const windowSeconds =
      props.maxBatchingWindow === undefined ? 0 : concreteSeconds(props.maxBatchingWindow, path, 'maxBatchingWindow');
    checkInteger(windowSeconds, 0, 300, path, 'maxBatchingWindow');
    const batchSize = checkInteger(
      props.batchSize ?? 10,
      1,
      fifo || windowSeconds === 0 ? 10 : 10_000,
      path,
      'batchSize',
    );

    const timeout = props.timeout ?? DEFAULT_TIMEOUT;
    checkInteger(concreteSeconds(timeout, path, 'timeout'), 1, 900, path, 'timeout');
    // Before creating anything: a violating configuration fails synthesis with VisibilityTimeoutTooShortError.
    props.queue.assertConsumerTimeout(timeout, path);
    const readWriteTables = props.readWriteTables ?? [];
    const readTables = props.readTables ?? [];
    const environment: Record<string, string> = {
      CHECKOUT_QUEUE_URL: props.queue.queue.queueUrl,
      CHECKOUT_DLQ_URL: props.queue.deadLetterQueue.queueUrl,
    };
    for (const table of [...readWriteTables, ...readTables]) environment[tableEnvName(table)] = table.tableName;
    if (props.database !== undefined) {
      // Also rejects a user the database does not know, before anything exists.
      const endpoint = props.database.readOnly === true ? 'readOnly' : 'readWrite';
      Object.assign(environment, props.database.database.connectionEnvironment(props.database.user, endpoint));
    }

    this.queue = props.queue;
    this.handler = new CheckoutFunction(this, 'Handler', {
      ...props,
      timeout,
      reservedConcurrency: reserved,
      environment: { ...environment, ...props.environment }, // the user's variables win
      ...(props.database === undefined ? {} : { vpc: props.database.database.vpc }),
    });
    this.eventSource = new SqsEventSource(props.queue.queue, {
      batchSize,
      ...(props.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: props.maxBatchingWindow }),
      reportBatchItemFailures: true,
      maxConcurrency: this.maxConcurrency,
    });
    // The event source grants consume on the queue; the DLQ gets send only (poison routing).
    this.handler.function.addEventSource(this.eventSource);
    props.queue.deadLetterQueue.grantSendMessages(this.handler);
    for (const table of readWriteTables) table.grantReadWriteData(this.handler);
    for (const table of readTables) table.grantReadData(this.handler);
    if (props.database !== undefined) props.database.database.grantConnect(this.handler, props.database.user);
  }

  /** Function errors (Sum, 1 min). */
  metricErrors(): cloudwatch.IMetric {
    return this.handler.function.metricErrors({ period: Duration.minutes(1), label: `${this.node.id} errors` });
  }

  /** Function throttles (Sum, 1 min); should stay 0 when `maxConcurrency <= reservedConcurrency`. */
  metricThrottles(): cloudwatch.IMetric {
    return this.handler.function.metricThrottles({ period: Duration.minutes(1), label: `${this.node.id} throttles` });
  }
}

const DEFAULT_TIMEOUT = Duration.seconds(30);

function tableEnvName(table: CheckoutTable): string {
  return `CHECKOUT_TABLE_${table.node.id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}
