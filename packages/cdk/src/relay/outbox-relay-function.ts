import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { CheckoutFunction, type CheckoutFunctionOptions } from '../function/checkout-function.js';
import { runBudget } from '../internal/duration.js';
import { createOldestPendingAgeAlarm, type OutboxRelaySettings, resolveRelaySettings } from './relay-settings.js';

/** Props of {@link OutboxRelayFunction}. */
export interface OutboxRelayFunctionProps extends CheckoutFunctionOptions, OutboxRelaySettings {
  /** How often a relay run starts. Default: every minute. */
  readonly schedule?: events.Schedule;
  /** Function timeout. Default: 60 s. */
  readonly timeout?: Duration;
  /** How long one run drains the outbox before returning (bounded below the timeout). Default: timeout - 10 s. */
  readonly runFor?: Duration;
  /** Reserved concurrency. Default: 2 (a late run may overlap the next; the relay is safe as N concurrent relays). */
  readonly reservedConcurrency?: number;
}

/**
 * The outbox relay as a scheduled Lambda: each run drains the outbox for a bounded time (`runFor`) and
 * returns, and the next run starts on schedule. It can send only to its destination queues and connect only
 * as its database user. The handler must publish `OldestPendingAgeSeconds` (namespace
 * `CheckoutKit/Outbox`, dimension `Service`) as an EMF log line each run; the alarm treats missing data
 * as breaching, so a relay that stopped running alarms too. For a long-running relay (LISTEN/NOTIFY
 * wake-ups, no cold starts) use `OutboxRelayService` on ECS.
 *
 * Environment set for the handler: `OUTBOX_DESTINATIONS` (JSON: destination name -> queue URL),
 * `OUTBOX_RELAY_RUN_FOR_MS`, `OUTBOX_METRIC_NAMESPACE`, `OUTBOX_METRIC_SERVICE`, `CHECKOUT_DB_*`.
 */
export class OutboxRelayFunction extends Construct {
  /** The relay function. */
  readonly handler: CheckoutFunction;
  /** The schedule rule. */
  readonly rule: events.Rule;
  /** Fires when the oldest unpublished row is too old, or when the metric stops arriving. */
  readonly oldestPendingAgeAlarm: cloudwatch.Alarm;
  /** The metric the alarm watches. */
  readonly oldestPendingAgeMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: OutboxRelayFunctionProps) {
    super(scope, id);
    const path = this.node.path;
    const { timeout, runForSeconds } = runBudget(path, props);
    const resolved = resolveRelaySettings(this, props);

    this.handler = new CheckoutFunction(this, 'Handler', {
      ...props,
      timeout,
      reservedConcurrency: props.reservedConcurrency ?? 2,
      vpc: props.database.vpc,
      environment: {
        ...resolved.environment,
        OUTBOX_RELAY_RUN_FOR_MS: String(runForSeconds * 1000),
        ...props.environment, // the user's variables win
      },
    });
    for (const queue of Object.values(props.destinations)) queue.grantSendMessages(this.handler);
    props.database.grantConnect(this.handler, props.databaseUser);

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.minutes(1)),
      // A missed run is replaced by the next tick; retries would only pile up overlapping runs.
      targets: [new targets.LambdaFunction(this.handler.function, { retryAttempts: 0 })],
    });
    this.oldestPendingAgeMetric = resolved.metric;
    this.oldestPendingAgeAlarm = createOldestPendingAgeAlarm(this, resolved, props.alarmActions);
  }
}
