import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { referencedLogicalIds } from '../assertions/safety-rails.js';
import { CheckoutCdkConfigError } from '../errors.js';
import { buildCheckoutFixture, environmentOf, inlineCode, logicalId } from '../test-support/checkout-fixture.js';
import { OutboxRelayFunction } from './outbox-relay-function.js';
import { OUTBOX_METRIC_NAMESPACE, OUTBOX_OLDEST_PENDING_AGE_METRIC } from './relay-settings.js';

const fx = buildCheckoutFixture();
const resources = fx.template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(fx.stack, construct);
const fnId = id(fx.relay.handler.function);

describe('OutboxRelayFunction', () => {
  it('runs on a schedule, bounded below its timeout, with reserved concurrency', () => {
    const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule');
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    const fn = resources[fnId]?.Properties;
    expect(fn).toMatchObject({ Timeout: 60, ReservedConcurrentExecutions: 2 });
    expect(environmentOf(resources, fnId)).toMatchObject({
      OUTBOX_RELAY_RUN_FOR_MS: '50000',
      OUTBOX_METRIC_NAMESPACE: 'CheckoutKit/Outbox',
      OUTBOX_METRIC_SERVICE: 'checkout',
      CHECKOUT_DB_USER: 'checkout_app',
    });
    const permission = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Permission');
    expect(permission?.Properties).toMatchObject({
      Principal: 'events.amazonaws.com',
      Action: 'lambda:InvokeFunction',
    });
  });

  it('passes its destinations as JSON name -> queue URL', () => {
    const env = environmentOf(resources, fnId);
    // Render the Fn::Join with each queue Ref as a fake URL, then parse it as the handler will.
    const [separator, parts] = (env.OUTBOX_DESTINATIONS as { 'Fn::Join': [string, Array<string | { Ref: string }>] })[
      'Fn::Join'
    ];
    const rendered = parts.map((part) => (typeof part === 'string' ? part : `https://sqs/${part.Ref}`)).join(separator);
    expect(JSON.parse(rendered)).toEqual({
      payment: `https://sqs/${id(fx.paymentQueue.queue)}`,
      inventory: `https://sqs/${id(fx.inventoryQueue.queue)}`,
    });
  });

  it('alarms on the oldest unpublished age, and when the metric stops arriving', () => {
    const alarm = Object.values(resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === OUTBOX_OLDEST_PENDING_AGE_METRIC,
    );
    expect(alarm?.Properties).toMatchObject({
      Namespace: OUTBOX_METRIC_NAMESPACE,
      Dimensions: [{ Name: 'Service', Value: 'checkout' }],
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      Statistic: 'Maximum',
    });
  });

  it('can send only to its destination queues and connect only as its database user', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: id(fx.relay.handler.role) }]))
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> })
            .Statement,
      );
    const sqsResources = statements
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')))
      .flatMap((s) => [...referencedLogicalIds(s.Resource)]);
    expect(new Set(sqsResources)).toEqual(new Set([id(fx.paymentQueue.queue), id(fx.inventoryQueue.queue)]));
    expect(
      statements
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith('sqs:') && a !== 'sqs:SendMessage' && !a.startsWith('sqs:GetQueue')),
    ).toEqual([]);
    expect(statements.flatMap((s) => [s.Action].flat())).toContain('rds-db:connect');
  });

  it.each([
    ['runFor', { runFor: Duration.seconds(60) }],
    ['destinations', { destinations: {} }],
    ['destinations["bad name"]', { destinations: { 'bad name': fx.paymentQueue } }],
    ['user', { databaseUser: 'postgres' }],
    ['oldestPendingAgeAlarmThreshold', { oldestPendingAgeAlarmThreshold: Duration.seconds(30) }],
  ] as const)('rejects a bad %s before creating anything', (field, props) => {
    const name = `Bad${Math.random().toString(36).slice(2)}`;
    try {
      new OutboxRelayFunction(fx.stack, name, {
        code: inlineCode,
        database: fx.database,
        databaseUser: 'checkout_app',
        destinations: { payment: fx.paymentQueue },
        ...props,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CheckoutCdkConfigError);
      expect(error).toMatchObject({ field });
    }
    expect(fx.stack.node.tryFindChild(name)?.node.children).toEqual([]);
  });
});
