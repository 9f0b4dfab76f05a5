import { fieldPath } from '@checkout/core';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { CheckoutDatabase } from '../database/checkout-database.js';
import { CheckoutCdkConfigError } from '../errors.js';
import { ageAlarmThresholdSeconds } from '../internal/duration.js';
import type { CheckoutQueue } from '../queue/checkout-queue.js';

/** Default CloudWatch namespace of the relay's custom metrics (emitted as Embedded Metric Format logs). */
export const OUTBOX_METRIC_NAMESPACE = 'CheckoutKit/Outbox';
/** Default name of the metric holding the age, in seconds, of the oldest unpublished outbox row. */
export const OUTBOX_OLDEST_PENDING_AGE_METRIC = 'OldestPendingAgeSeconds';

/** Settings shared by the Lambda relay and the ECS relay service. */
export interface OutboxRelaySettings {
  /** Postgres holding the outbox; the relay connects through the proxy as `databaseUser`. */
  readonly database: CheckoutDatabase;
  /** Database user of the relay (one of the database's `applicationUsers`). */
  readonly databaseUser: string;
  /** Queues the relay publishes to, by destination name (the outbox row's destination). */
  readonly destinations: Readonly<Record<string, CheckoutQueue>>;
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

/** Validated settings: what both relay forms need before creating anything. */
export interface ResolvedRelaySettings {
  readonly environment: Record<string, string>;
  readonly ageThresholdSeconds: number;
  readonly metric: cloudwatch.Metric;
}

/** Checks the shared settings (throwing typed errors naming the field) and derives environment and metric. */
export function resolveRelaySettings(scope: Construct, settings: OutboxRelaySettings): ResolvedRelaySettings {
  const path = scope.node.path;
  const names = Object.keys(settings.destinations);
  if (names.length === 0) throw new CheckoutCdkConfigError(path, 'destinations', 'needs at least one queue');
  for (const name of names) {
    if (!DESTINATION_NAME.test(name)) {
      throw new CheckoutCdkConfigError(path, fieldPath('destinations', name), `name must match ${DESTINATION_NAME}`);
    }
  }
  const ageThresholdSeconds = ageAlarmThresholdSeconds(
    path,
    'oldestPendingAgeAlarmThreshold',
    settings.oldestPendingAgeAlarmThreshold,
  );
  const namespace = settings.metricNamespace ?? OUTBOX_METRIC_NAMESPACE;
  const service = settings.serviceName ?? 'checkout';
  const urls: Record<string, string> = {};
  for (const [name, queue] of Object.entries(settings.destinations)) urls[name] = queue.queue.queueUrl;
  const environment: Record<string, string> = {
    // Also rejects a user the database does not know, before anything exists.
    ...settings.database.connectionEnvironment(settings.databaseUser),
    OUTBOX_DESTINATIONS: Stack.of(scope).toJsonString(urls),
    OUTBOX_METRIC_NAMESPACE: namespace,
    OUTBOX_METRIC_SERVICE: service,
  };
  const metric = new cloudwatch.Metric({
    namespace,
    metricName: OUTBOX_OLDEST_PENDING_AGE_METRIC,
    dimensionsMap: { Service: service },
    statistic: 'Maximum',
    period: Duration.minutes(1),
  });
  return { environment, ageThresholdSeconds, metric };
}

/** The lag alarm; missing data is breaching, so a relay that stopped reporting alarms too. */
export function createOldestPendingAgeAlarm(
  scope: Construct,
  resolved: ResolvedRelaySettings,
  alarmActions: ReadonlyArray<cloudwatch.IAlarmAction> = [],
): cloudwatch.Alarm {
  const alarm = resolved.metric.createAlarm(scope, 'OldestPendingAgeAlarm', {
    alarmDescription: `Oldest unpublished outbox row is older than ${resolved.ageThresholdSeconds}s, or the relay stopped reporting.`,
    threshold: resolved.ageThresholdSeconds,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  for (const action of alarmActions) alarm.addAlarmAction(action);
  return alarm;
}
