import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { CheckoutDatabase } from '../database/checkout-database.js';
import { CheckoutFunction, type CheckoutFunctionOptions } from '../function/checkout-function.js';
import { ageAlarmThresholdSeconds, runBudget } from '../internal/duration.js';

/** Default CloudWatch namespace of the deadline sweeper's metrics (emitted as Embedded Metric Format logs). */
export const DEADLINE_METRIC_NAMESPACE = 'CheckoutKit/StateMachine';
/** Name of the metric holding the age, in seconds, of the oldest overdue state deadline (0 when none). */
export const DEADLINE_OLDEST_OVERDUE_AGE_METRIC = 'OldestOverdueDeadlineAgeSeconds';

/** Props of {@link DeadlineSweeperFunction}. */
export interface DeadlineSweeperFunctionProps extends CheckoutFunctionOptions {
  /** Postgres holding the aggregates; the sweeper connects through the proxy as `databaseUser`. */
  readonly database: CheckoutDatabase;
  /** Database user of the sweeper (one of the database's `applicationUsers`). */
  readonly databaseUser: string;
  /** How often a run starts. Default: every minute. */
  readonly schedule?: events.Schedule;
  /** Function timeout. Default: 60 s. */
  readonly timeout?: Duration;
  /** How long one run fires due deadlines before returning (below the timeout). Default: timeout - 10 s. */
  readonly runFor?: Duration;
  /** Reserved concurrency. Default: 2 (a late run may overlap the next; sweepers never share an aggregate). */
  readonly reservedConcurrency?: number;
  /** Alarm when the oldest overdue deadline is older than this. Default: 5 minutes (at least 60 s). */
  readonly oldestOverdueAgeAlarmThreshold?: Duration;
  /** Namespace of the sweeper's EMF metrics. Default: {@link DEADLINE_METRIC_NAMESPACE}. */
  readonly metricNamespace?: string;
  /** Value of the `Service` dimension of the sweeper's metrics. Default: `checkout`. */
  readonly serviceName?: string;
  /** Actions (e.g. an SNS topic) for the alarm. */
  readonly alarmActions?: ReadonlyArray<cloudwatch.IAlarmAction>;
}

/**
 * The durable-deadline sweeper of `@checkout/state-machine` as a scheduled Lambda: an EventBridge rule
 * starts a run every minute; each run calls `store.runDeadlines(db, { forMs })` for a bounded time and
 * returns. Overlapping runs are safe (due aggregates are claimed with `FOR UPDATE SKIP LOCKED`, each
 * deadline fires once). The handler must publish `OldestOverdueDeadlineAgeSeconds` (namespace
 * `CheckoutKit/StateMachine`, dimension `Service`; `store.deadlineStats(db).oldestOverdueAgeSeconds`, 0 when
 * none) as an EMF log line each run; the alarm treats missing data as breaching, so a sweeper that stopped
 * running alarms too.
 *
 * Environment set for the handler: `DEADLINE_SWEEPER_RUN_FOR_MS`, `DEADLINE_METRIC_NAMESPACE`,
 * `DEADLINE_METRIC_SERVICE`, `CHECKOUT_DB_*`.
 *
 * @example
 * ```ts
 * import { CheckoutDatabase, DeadlineSweeperFunction } from '@checkout/cdk';
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 *
 * const stack = new Stack(new App(), 'Checkout');
 * const database = new CheckoutDatabase(stack, 'Database', { vpc: new ec2.Vpc(stack, 'Vpc') });
 * new DeadlineSweeperFunction(stack, 'DeadlineSweeper', {
 *   code: lambda.Code.fromAsset('dist/lambda/deadline-sweeper'),
 *   database,
 *   databaseUser: 'checkout_app',
 * });
 * ```
 */
export class DeadlineSweeperFunction extends Construct {
  /** The sweeper function. */
  readonly handler: CheckoutFunction;
  /** The schedule rule. */
  readonly rule: events.Rule;
  /** Fires when the oldest overdue deadline is too old, or when the metric stops arriving. */
  readonly oldestOverdueAgeAlarm: cloudwatch.Alarm;
  /** The metric the alarm watches. */
  readonly oldestOverdueAgeMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: DeadlineSweeperFunctionProps) {
    super(scope, id);
    const path = this.node.path;
    const { timeout, runForSeconds } = runBudget(path, props);
    const thresholdSeconds = ageAlarmThresholdSeconds(
      path,
      'oldestOverdueAgeAlarmThreshold',
      props.oldestOverdueAgeAlarmThreshold,
    );
    const namespace = props.metricNamespace ?? DEADLINE_METRIC_NAMESPACE;
    const service = props.serviceName ?? 'checkout';

    this.handler = new CheckoutFunction(this, 'Handler', {
      ...props,
      timeout,
      reservedConcurrency: props.reservedConcurrency ?? 2,
      vpc: props.database.vpc,
      environment: {
        // Also rejects a user the database does not know, before anything exists.
        ...props.database.connectionEnvironment(props.databaseUser),
        DEADLINE_SWEEPER_RUN_FOR_MS: String(runForSeconds * 1000),
        DEADLINE_METRIC_NAMESPACE: namespace,
        DEADLINE_METRIC_SERVICE: service,
        ...props.environment, // the user's variables win
      },
    });
    props.database.grantConnect(this.handler, props.databaseUser);

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.minutes(1)),
      // A missed run is replaced by the next tick; retries would only pile up overlapping runs.
      targets: [new targets.LambdaFunction(this.handler.function, { retryAttempts: 0 })],
    });
    this.oldestOverdueAgeMetric = new cloudwatch.Metric({
      namespace,
      metricName: DEADLINE_OLDEST_OVERDUE_AGE_METRIC,
      dimensionsMap: { Service: service },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.oldestOverdueAgeAlarm = this.oldestOverdueAgeMetric.createAlarm(this, 'OldestOverdueAgeAlarm', {
      alarmDescription: `A state deadline is overdue by more than ${thresholdSeconds}s (orders stuck), or the deadline sweeper stopped reporting.`,
      threshold: thresholdSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const action of props.alarmActions ?? []) this.oldestOverdueAgeAlarm.addAlarmAction(action);
  }
}
