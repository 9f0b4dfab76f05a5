import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { CheckoutDatabase } from '../database/checkout-database.js';
import { CheckoutCdkConfigError } from '../errors.js';
import { environmentOf, inlineCode, logicalId, testStack } from '../test-support/checkout-fixture.js';
import {
  DEADLINE_METRIC_NAMESPACE,
  DEADLINE_OLDEST_OVERDUE_AGE_METRIC,
  DeadlineSweeperFunction,
} from './deadline-sweeper-function.js';

function build(props: Partial<ConstructorParameters<typeof DeadlineSweeperFunction>[2]> = {}) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const database = new CheckoutDatabase(stack, 'Database', { vpc });
  const sweeper = new DeadlineSweeperFunction(stack, 'Sweeper', {
    code: inlineCode,
    database,
    databaseUser: 'checkout_app',
    ...props,
  });
  return { stack, sweeper, database };
}

describe('DeadlineSweeperFunction', () => {
  const { stack, sweeper } = build();
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const fnId = logicalId(stack, sweeper.handler.function);

  it('runs every minute, bounded below its timeout, with reserved concurrency and its database user', () => {
    const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule');
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      Targets: [{ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    expect(resources[fnId]?.Properties).toMatchObject({ Timeout: 60, ReservedConcurrentExecutions: 2 });
    expect(environmentOf(resources, fnId)).toMatchObject({
      DEADLINE_SWEEPER_RUN_FOR_MS: '50000',
      DEADLINE_METRIC_NAMESPACE: DEADLINE_METRIC_NAMESPACE,
      DEADLINE_METRIC_SERVICE: 'checkout',
      CHECKOUT_DB_USER: 'checkout_app',
    });
  });

  it('alarms on the oldest overdue deadline, and when the metric stops arriving', () => {
    const alarm = Object.values(resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === DEADLINE_OLDEST_OVERDUE_AGE_METRIC,
    );
    expect(alarm?.Properties).toMatchObject({
      Namespace: DEADLINE_METRIC_NAMESPACE,
      Dimensions: [{ Name: 'Service', Value: 'checkout' }],
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('refuses a run longer than the timeout, a short alarm threshold and an unknown database user', () => {
    expect(() => build({ runFor: Duration.seconds(60) })).toThrow(CheckoutCdkConfigError);
    expect(() => build({ oldestOverdueAgeAlarmThreshold: Duration.seconds(30) })).toThrow(
      expect.objectContaining({ field: 'oldestOverdueAgeAlarmThreshold' }),
    );
    expect(() => build({ databaseUser: 'nobody' })).toThrow();
  });
});
