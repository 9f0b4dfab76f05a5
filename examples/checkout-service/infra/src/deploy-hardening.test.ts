import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckoutServiceStack } from './checkout-service-stack.js';
import { lambdaCode } from './lambda-code.js';

// What holds data or credentials outlives the stack; alarms are encrypted; the API logs access; the sweep alarms.
const outdir = mkdtempSync(join(tmpdir(), 'checkout-hardening-'));
const app = new App({ outdir });
const stack = new CheckoutServiceStack(app, 'CheckoutService', {
  code: lambdaCode(undefined),
  jwtAuthorizer: { issuerUrl: 'https://issuer.example.test/', audience: ['checkout'] },
  providers: { paymentUrl: 'https://payments.example.test', emailUrl: 'https://email.example.test' },
});
const template = app.synth().getStackArtifact(stack.artifactId).template as {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
};
const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('deploy hardening of the example stack', () => {
  it.each(['AWS::SQS::Queue', 'AWS::SecretsManager::Secret', 'AWS::DynamoDB::Table', 'AWS::KMS::Key'])(
    'retains every %s when the stack is deleted',
    (type) => {
      const resources = ofType(type);
      expect(resources.length).toBeGreaterThan(0);
      for (const [id, resource] of resources) expect([id, resource.DeletionPolicy]).toEqual([id, 'Retain']);
    },
  );

  it('encrypts the alarm topic with a key CloudWatch may use', () => {
    const [[, topic] = []] = ofType('AWS::SNS::Topic');
    const [[keyId, key] = []] = ofType('AWS::KMS::Key');
    expect(topic?.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(JSON.stringify(key?.Properties?.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  });

  it('writes API access logs as JSON with the caller, route and status', () => {
    const [[, stage] = []] = ofType('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties?.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(settings.DestinationArn).toBeDefined();
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: '$context.requestId',
      sub: '$context.authorizer.claims.sub',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('alarms on any failed inventory sweep', () => {
    const sweepAlarm = ofType('AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('InventorySweepFailuresAlarm'));
    expect(sweepAlarm?.[1].Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(sweepAlarm?.[1].Properties?.AlarmActions).toHaveLength(1);
  });

  it('gives the workers the provider URLs they call', () => {
    const env = (description: string): Record<string, unknown> => {
      const fn = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties?.Description === description);
      const environment = fn?.[1].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
      return environment?.Variables ?? {};
    };
    expect(env('checkout-service payment-worker').PAYMENT_PROVIDER_URL).toBe('https://payments.example.test');
    expect(env('checkout-service notification-worker').EMAIL_PROVIDER_URL).toBe('https://email.example.test');
    expect(env('checkout-service checkout-api').CHECKOUT_DB_AUTH).toBe('iam');
  });
});
