import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { CheckoutQueue } from '../queue/checkout-queue.js';
import type { OutboxRelayFunction } from '../relay/outbox-relay-function.js';
import type { OutboxRelayService } from '../relay/outbox-relay-service.js';
import type { CheckoutWorker } from '../worker/checkout-worker.js';

/** Default namespace of the order-state metric the checkout service emits (EMF). */
export const ORDER_METRIC_NAMESPACE = 'CheckoutKit/Orders';
/** Default name of the metric counting orders entering a state (dimension `State`). */
export const ORDER_STATE_METRIC = 'OrdersEnteredState';

/** The order states of `@checkout/state-machine`'s `orderMachine`, charted by default. */
export const DEFAULT_ORDER_STATES: ReadonlyArray<string> = [
  'PENDING_PAYMENT',
  'PAYMENT_AUTHORIZED',
  'INVENTORY_RESERVED',
  'FULFILLMENT_STARTED',
  'COMPLETED',
  'PAYMENT_DECLINED',
  'INVENTORY_SHORT',
  'INVENTORY_TIMED_OUT',
  'PAYMENT_VOIDED',
  'CANCELLED',
  'NEEDS_ATTENTION',
];

/** Props of {@link CheckoutDashboard}. */
export interface CheckoutDashboardProps {
  /** Default: generated. */
  readonly dashboardName?: string;
  /** Queues whose age and DLQ depth are charted. */
  readonly queues: ReadonlyArray<CheckoutQueue>;
  /** Workers whose errors and throttles are charted. */
  readonly workers?: ReadonlyArray<CheckoutWorker>;
  /** The relay (Lambda or ECS) whose oldest-pending-age alarm is charted. */
  readonly relay?: OutboxRelayFunction | OutboxRelayService;
  /** Order states to chart. Default: {@link DEFAULT_ORDER_STATES}. */
  readonly orderStates?: ReadonlyArray<string>;
  /** Namespace of the order-state metric. Default: {@link ORDER_METRIC_NAMESPACE}. */
  readonly orderMetricNamespace?: string;
}

/**
 * One CloudWatch dashboard for the flow: age of the oldest message per queue, DLQ depth per queue, outbox
 * lag (with its alarm), orders entering each state (`OrdersEnteredState`, dimension `State`, emitted by
 * the service as EMF), worker errors and throttles.
 */
export class CheckoutDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CheckoutDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }),
      defaultInterval: Duration.hours(3),
    });
    const namespace = props.orderMetricNamespace ?? ORDER_METRIC_NAMESPACE;
    const orderMetrics = (props.orderStates ?? DEFAULT_ORDER_STATES).map(
      (state) =>
        new cloudwatch.Metric({
          namespace,
          metricName: ORDER_STATE_METRIC,
          dimensionsMap: { State: state },
          statistic: 'Sum',
          period: Duration.minutes(5),
          label: state,
        }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue age: oldest message (s)',
        left: props.queues.map((queue) => queue.metricAgeOfOldestMessage()),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'DLQ depth (messages)',
        left: props.queues.map((queue) => queue.metricDeadLetterDepth()),
        width: 12,
      }),
    );
    const second: cloudwatch.IWidget[] = [];
    if (props.relay !== undefined) {
      second.push(
        new cloudwatch.AlarmWidget({
          title: 'Outbox lag: oldest unpublished row (s)',
          alarm: props.relay.oldestPendingAgeAlarm,
          width: 12,
        }),
      );
    }
    second.push(
      new cloudwatch.GraphWidget({ title: 'Orders entering each state', left: orderMetrics, stacked: true, width: 12 }),
    );
    this.dashboard.addWidgets(...second);
    const workers = props.workers ?? [];
    if (workers.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Worker errors', left: workers.map((w) => w.metricErrors()), width: 12 }),
        new cloudwatch.GraphWidget({
          title: 'Worker throttles',
          left: workers.map((w) => w.metricThrottles()),
          width: 12,
        }),
      );
    }
  }
}
