import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { buildCheckoutFixture, inlineCode, testStack } from '../test-support/checkout-fixture.js';
import { checkSafetyRails, type SafetyRail } from './safety-rails.js';

describe('checkSafetyRails', () => {
  it('finds nothing to report on a stack built from the constructs', () => {
    expect(checkSafetyRails(buildCheckoutFixture().template.toJSON())).toEqual([]);
  });

  it('reports every rail a hand-written stack forgets', () => {
    // The mistakes the constructs exist to prevent, written with plain CDK.
    const stack = testStack('Unsafe');
    const dlq = new sqs.Queue(stack, 'Dlq', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const queue = new sqs.Queue(stack, 'Queue', {
      visibilityTimeout: Duration.seconds(30),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
    });
    const bare = new sqs.Queue(stack, 'Bare');
    const fn = new lambda.Function(stack, 'Fn', {
      code: inlineCode,
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      timeout: Duration.seconds(10),
    });
    fn.addEventSource(new SqsEventSource(queue));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    bare.grantConsumeMessages(fn); // a consumer of Queue reading another queue
    new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PROVISIONED,
    });
    const violations = checkSafetyRails(Template.fromStack(stack).toJSON());
    const rails = (logicalIdPrefix: string) =>
      violations
        .filter((v) => v.logicalId.startsWith(logicalIdPrefix))
        .map((v) => v.rail)
        .sort();
    expect(rails('Dlq')).toEqual<SafetyRail[]>(['dlq-depth-alarm', 'dlq-redrive-allow', 'queue-encryption']);
    expect(rails('Queue')).toEqual<SafetyRail[]>(['queue-age-alarm', 'queue-encryption', 'visibility-timeout']);
    expect(rails('Bare')).toEqual<SafetyRail[]>(['queue-age-alarm', 'queue-dlq', 'queue-encryption']);
    expect(rails('FnSqsEventSource')).toEqual<SafetyRail[]>(['esm-max-concurrency', 'esm-partial-batch']);
    expect(rails('Fn')).toContain('function-reserved-concurrency');
    expect(rails('Fn')).toContain('worker-queue-isolation');
    expect(rails('FnServiceRole')).toEqual<SafetyRail[]>(['iam-wildcard']);
    expect(rails('Table')).toEqual<SafetyRail[]>(['table-billing', 'table-pitr', 'table-ttl']);
    expect(violations.find((v) => v.rail === 'iam-wildcard')?.message).toBe('grants sqs:SendMessage on Resource "*"');
  });
});
