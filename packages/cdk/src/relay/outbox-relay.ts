import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { CheckoutDatabase } from '../database/checkout-database.js';
import { InvalidConstructPropsError } from '../errors.js';
import { CheckoutFunction, type CheckoutFunctionOptions } from '../function/checkout-function.js';
import { concreteSeconds } from '../internal/duration.js';
import type { CheckoutQueue } from '../queue/checkout-queue.js';

/** Default CloudWatch namespace of the relay's custom metrics (emitted as Embedded Metric Format logs). */
export const OUTBOX_METRIC_NAMESPACE = 'CheckoutKit/Outbox';
/** Default name of the metric holding the age, in seconds, of the oldest unpublished outbox row. */
export const OUTBOX_OLDEST_PENDING_AGE_METRIC = 'OldestPendingAgeSeconds';

/** Props of {@link OutboxRelay}. */
export interface OutboxRelayProps extends CheckoutFunctionOptions {
  /** Postgres holding the outbox; the relay connects through the proxy as `databaseUser`. */
  readonly database: CheckoutDatabase;
  /** Database user of the relay (one of the database's `applicationUsers`). */
  readonly databaseUser: string;
  /** Queues the relay publishes to, by destination name (the outbox row's destination). */
  readonly destinations: Readonly<Record<string, CheckoutQueue>>;
  /** How often a relay run starts. Default: every minute. */
  readonly schedule?: events.Schedule;
  /** Function timeout. Default: 60 s. */
  readonly timeout?: Duration;
  /** How long one run drains the outbox before returning (bounded below the timeout). Default: timeout - 10 s. */
  readonly runFor?: Duration;
  /** Reserved concurrency. Default: 2 (a late run may overlap the next; the relay is safe as N concurrent relays). */
  readonly reservedConcurrency?: number;
  /** Alarm when the oldest unpublished row is older than this. Default: 5 minutes. */
  readonly oldestPendingAgeAlarmThreshold?: Duration;
  /** Namespace of the relay's EMF metrics. Default: {@link OUTBOX_METRIC_NAMESPACE}. */
  readonly metricNamespace?: string;
  /** Value of the `Service` dimension of the relay's metrics. Default: `checkout`. */
  readonly serviceName?: string;
  /** Actions (e.g. an SNS topic) for the alarm. */
  readonly alarmActions?: ReadonlyArray<cloudwatch.IAlarmAction>;
}

const DESTINATION_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The outbox relay as a scheduled Lambda: each run drains the outbox for a bounded time (`runFor`) and
 * returns, and the next run starts on schedule. It can send only to its destination queues and connect only
 * as its database user. The handler must publish `OldestPendingAgeSeconds` (namespace
 * `CheckoutKit/Outbox`, dimension `Service`) as an EMF log line each run; the alarm treats missing data
 * as breaching, so a relay that stopped running alarms too.
 *
 * Environment set for the handler: `OUTBOX_DESTINATIONS` (JSON: destination name -> queue URL),
 * `OUTBOX_RELAY_RUN_FOR_MS`, `OUTBOX_METRIC_NAMESPACE`, `OUTBOX_METRIC_SERVICE`, `CHECKOUT_DB_*`.
 */
export class OutboxRelay extends Construct {
  /** The relay function. */
  readonly handler: CheckoutFunction;
  /** The schedule rule. */
  readonly rule: events.Rule;
  /** Fires when the oldest unpublished row is too old, or when the metric stops arriving. */
  readonly oldestPendingAgeAlarm: cloudwatch.Alarm;
  /** The metric the alarm watches. */
  readonly oldestPendingAgeMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const path = this.node.path;
    const timeout = props.timeout ?? Duration.seconds(60);
    const timeoutSeconds = concreteSeconds(timeout, path, 'timeout');
    const runFor = props.runFor ?? Duration.seconds(Math.max(1, timeoutSeconds - 10));
    const runForSeconds = concreteSeconds(runFor, path, 'runFor');
    if (runForSeconds <= 0 || runForSeconds >= timeoutSeconds) {
      throw new InvalidConstructPropsError(
        path,
        'runFor',
        `must be > 0 and shorter than the timeout (${timeoutSeconds}s)`,
      );
    }
    const names = Object.keys(props.destinations);
    if (names.length === 0) throw new InvalidConstructPropsError(path, 'destinations', 'needs at least one queue');
    for (const name of names) {
      if (!DESTINATION_NAME.test(name)) {
        throw new InvalidConstructPropsError(path, 'destinations', `name ${name} must match ${DESTINATION_NAME}`);
      }
    }
    const ageThreshold = concreteSeconds(
      props.oldestPendingAgeAlarmThreshold ?? Duration.minutes(5),
      path,
      'oldestPendingAgeAlarmThreshold',
    );
    if (ageThreshold < 60) {
      throw new InvalidConstructPropsError(
        path,
        'oldestPendingAgeAlarmThreshold',
        'must be >= 60 s (metric resolution)',
      );
    }
    const namespace = props.metricNamespace ?? OUTBOX_METRIC_NAMESPACE;
    const service = props.serviceName ?? 'checkout';

    const urls: Record<string, string> = {};
    for (const [name, queue] of Object.entries(props.destinations)) urls[name] = queue.queue.queueUrl;
    const environment: Record<string, string> = {
      // Also rejects a user the database does not know, before anything exists.
      ...props.database.connectionEnvironment(props.databaseUser),
      OUTBOX_DESTINATIONS: Stack.of(this).toJsonString(urls),
      OUTBOX_RELAY_RUN_FOR_MS: String(runForSeconds * 1000),
      OUTBOX_METRIC_NAMESPACE: namespace,
      OUTBOX_METRIC_SERVICE: service,
    };

    this.handler = new CheckoutFunction(this, 'Handler', {
      ...props,
      timeout,
      reservedConcurrency: props.reservedConcurrency ?? 2,
      vpc: props.database.vpc,
      environment: { ...environment, ...props.environment }, // the user's variables win
    });
    for (const queue of Object.values(props.destinations)) queue.grantSendMessages(this.handler);
    props.database.grantConnect(this.handler, props.databaseUser);

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.minutes(1)),
      // A missed run is replaced by the next tick; retries would only pile up overlapping runs.
      targets: [new targets.LambdaFunction(this.handler.function, { retryAttempts: 0 })],
    });

    this.oldestPendingAgeMetric = new cloudwatch.Metric({
      namespace,
      metricName: OUTBOX_OLDEST_PENDING_AGE_METRIC,
      dimensionsMap: { Service: service },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.oldestPendingAgeAlarm = this.oldestPendingAgeMetric.createAlarm(this, 'OldestPendingAgeAlarm', {
      alarmDescription: `Oldest unpublished outbox row is older than ${ageThreshold}s, or the relay stopped reporting.`,
      threshold: ageThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const action of props.alarmActions ?? []) this.oldestPendingAgeAlarm.addAlarmAction(action);
  }
}
