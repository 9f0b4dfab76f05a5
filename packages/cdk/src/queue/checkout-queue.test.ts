import { type CfnElement, CfnParameter, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { CheckoutCdkConfigError, VisibilityTimeoutTooShortError } from '../errors.js';
import { logicalId, testStack } from '../test-support/checkout-fixture.js';
import { CheckoutQueue } from './checkout-queue.js';

// One stack for every positive assertion of this file.
const stack = testStack('Queues');
const payment = new CheckoutQueue(stack, 'Payment', {
  consumerTimeout: Duration.seconds(25),
  oldestMessageAgeAlarmThreshold: Duration.minutes(1),
});
const notificationKey = new kms.Key(stack, 'Key');
const notification = new CheckoutQueue(stack, 'Notification', {
  queueName: 'checkout-notification',
  fifo: true,
  maxReceiveCount: 8,
  oldestMessageAgeAlarmThreshold: Duration.minutes(30),
  encryptionKey: notificationKey,
});
const template = Template.fromStack(stack);
const ids = {
  payment: logicalId(stack, payment.queue),
  paymentDlq: logicalId(stack, payment.deadLetterQueue),
  notification: logicalId(stack, notification.queue),
  notificationDlq: logicalId(stack, notification.deadLetterQueue),
};

describe('CheckoutQueue', () => {
  it('derives the visibility timeout as 6x the consumer timeout and redrives to its DLQ', () => {
    expect(payment.visibilityTimeout.toSeconds()).toBe(150);
    expect(template.toJSON().Resources[ids.payment].Properties).toMatchObject({
      VisibilityTimeout: 150,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.paymentDlq, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('lets only its own queue redrive into the DLQ (redrive-allow policy by queue, no cycle)', () => {
    const dlq = template.toJSON().Resources[ids.notificationDlq].Properties;
    expect(dlq).toMatchObject({
      FifoQueue: true,
      QueueName: 'checkout-notification-dlq.fifo',
      MessageRetentionPeriod: 1209600,
    });
    expect(dlq.RedriveAllowPolicy.redrivePermission).toBe('byQueue');
    expect(JSON.stringify(dlq.RedriveAllowPolicy.sourceQueueArns)).toContain(':checkout-notification.fifo');
    expect(template.toJSON().Resources[ids.notification].Properties).toMatchObject({
      FifoQueue: true,
      QueueName: 'checkout-notification.fifo',
      RedrivePolicy: { maxReceiveCount: 8 },
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(notificationKey.node.defaultChild as CfnElement), 'Arn'] },
    });
  });

  it('alarms on the age of the oldest message with a threshold per queue, and on any DLQ message', () => {
    const alarm = (queueId: string, metricName: string) =>
      Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: {
            MetricName: metricName,
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          },
        }),
      );
    expect(alarm(ids.payment, 'ApproximateAgeOfOldestMessage')[0]?.Properties).toMatchObject({
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(ids.notification, 'ApproximateAgeOfOldestMessage')[0]?.Properties).toMatchObject({ Threshold: 1800 });
    for (const dlq of [ids.paymentDlq, ids.notificationDlq]) {
      expect(alarm(dlq, 'ApproximateNumberOfMessagesVisible')[0]?.Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('denies non-TLS access to both queues', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('rejects an explicit visibility timeout below 6x the consumer timeout, naming both numbers', () => {
    const build = () =>
      new CheckoutQueue(testStack(), 'Tight', {
        consumerTimeout: Duration.seconds(30),
        visibilityTimeout: Duration.seconds(60),
      });
    expect(build).toThrow(VisibilityTimeoutTooShortError);
    expect(build).toThrow(/60s is shorter than 6 x the consumer function timeout \(30s -> needs >= 180s\)/);
    try {
      build();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'CDK_VISIBILITY_TIMEOUT_TOO_SHORT',
        field: 'visibilityTimeout',
        constructPath: 'Test/Tight',
        visibilityTimeoutSeconds: 60,
        functionTimeoutSeconds: 30,
      });
    }
  });

  it('rejects a consumer timeout only known at deploy time (a token cannot be checked against 6x)', () => {
    const s = testStack();
    const seconds = new CfnParameter(s, 'Timeout', { type: 'Number' }).valueAsNumber;
    expect(() => new CheckoutQueue(s, 'Q', { consumerTimeout: Duration.seconds(seconds) })).toThrow(
      expect.objectContaining({ code: 'CDK_INVALID_CONFIG', field: 'consumerTimeout' }),
    );
  });

  it.each([
    ['queueName', { queueName: 'orders.fifo' }],
    ['queueName', { queueName: 'a/../b' }],
    ['queueName', { queueName: 'x'.repeat(71) }],
    ['maxReceiveCount', { maxReceiveCount: 0 }],
    ['retentionPeriod', { retentionPeriod: Duration.days(14) }],
    ['oldestMessageAgeAlarmThreshold', { oldestMessageAgeAlarmThreshold: Duration.seconds(10) }],
  ] as const)('rejects a bad %s with a typed error naming the field', (field, props) => {
    const s = testStack();
    try {
      new CheckoutQueue(s, 'Bad', props);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CheckoutCdkConfigError);
      expect(error).toMatchObject({ code: 'CDK_INVALID_CONFIG', field, constructPath: 'Test/Bad' });
    }
    // Rejected before any resource was created.
    expect(s.node.tryFindChild('Bad')?.node.children ?? []).toEqual([]);
  });
});
