import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudFormationTemplate, checkSafetyRails, referencedLogicalIds } from '@checkout/cdk';
import { inventoryTableDefinition } from '@checkout/inventory';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckoutServiceStack, type CheckoutServiceStackProps } from './checkout-service-stack.js';
import { InvalidSettingError, MissingSettingError } from './errors.js';
import { JWT_AUDIENCE_CONTEXT_KEY, JWT_ISSUER_URL_CONTEXT_KEY } from './jwt-authorizer-settings.js';
import { lambdaCode } from './lambda-code.js';

// One synthesis for the whole file, with CDK's built-in CloudFormation validation on and strict (as `pnpm synth`).
const outdir = mkdtempSync(join(tmpdir(), 'checkout-infra-'));
const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
const issuerUrl = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const stack = new CheckoutServiceStack(app, 'CheckoutService', {
  code: lambdaCode(undefined),
  jwtAuthorizer: { issuerUrl, audience: ['checkout-web', 'checkout-mobile'] },
});
const assembly = app.synth();
const template = assembly.getStackArtifact(stack.artifactId).template as Required<CloudFormationTemplate> & {
  Outputs: Record<string, unknown>;
};
type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = template.Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('examples/checkout-service/infra', () => {
  it('synthesizes offline and passes CloudFormation schema validation with no finding', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  it("builds the tables from the runtime packages' own definitions (keys, TTL, the sweeper index)", () => {
    const tables = ofType('AWS::DynamoDB::Table').map(([, table]) => table.Properties);
    const inventory = tables.find((table) => JSON.stringify(table.KeySchema).includes('"sk"'));
    expect(inventory?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({ IndexName: inventoryTableDefinition.globalSecondaryIndexes[0].indexName }),
    ]);
    for (const table of tables) {
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    }
    // Idempotency keys live in Postgres (the order's transaction): no DynamoDB idempotency table.
    expect(tables).toHaveLength(1);
  });

  it('has the expected resources (counts by type)', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    expect(counts).toEqual({
      // API: POST /checkout, GET /orders/{orderId} -> checkout Lambda; GET /reports/daily -> reporting Lambda.
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Authorizer': 1,
      'AWS::ApiGatewayV2::Integration': 2,
      'AWS::ApiGatewayV2::Route': 3,
      'AWS::ApiGatewayV2::Stage': 1,
      // 5 queues x (age + DLQ depth) + outbox lag + inventory sweep failures + oldest overdue order deadline.
      'AWS::CloudWatch::Alarm': 13,
      'AWS::CloudWatch::Dashboard': 1,
      // Inventory (idempotency keys are in Postgres).
      'AWS::DynamoDB::Table': 1,
      // VPC: 2 AZs, public + private subnets, 1 NAT, DynamoDB gateway endpoint.
      'AWS::EC2::EIP': 1,
      'AWS::EC2::InternetGateway': 1,
      'AWS::EC2::NatGateway': 1,
      'AWS::EC2::Route': 4,
      'AWS::EC2::RouteTable': 4,
      'AWS::EC2::Subnet': 4,
      'AWS::EC2::SubnetRouteTableAssociation': 4,
      'AWS::EC2::VPC': 1,
      'AWS::EC2::VPCEndpoint': 1,
      'AWS::EC2::VPCGatewayAttachment': 1,
      // Cluster + proxy + 9 functions in the VPC; proxy <- each of the 9, cluster <- proxy.
      'AWS::EC2::SecurityGroup': 11,
      'AWS::EC2::SecurityGroupIngress': 10,
      // Relay, inventory sweep and deadline sweeper schedules.
      'AWS::Events::Rule': 3,
      // One role + one policy per function (10) + the RDS Proxy's role.
      'AWS::IAM::Policy': 11,
      'AWS::IAM::Role': 11,
      // Encrypts the alarm topic (CloudWatch may use it).
      'AWS::KMS::Key': 1,
      // 5 workers, relay, checkout API, reporting API, inventory sweep, deadline sweeper.
      'AWS::Lambda::EventSourceMapping': 5,
      'AWS::Lambda::Function': 10,
      'AWS::Lambda::Permission': 6,
      // One per function + the API's access log.
      'AWS::Logs::LogGroup': 11,
      // Aurora Serverless v2 writer + reader, RDS Proxy with a read-only endpoint.
      'AWS::RDS::DBCluster': 1,
      'AWS::RDS::DBInstance': 2,
      'AWS::RDS::DBProxy': 1,
      'AWS::RDS::DBProxyEndpoint': 1,
      'AWS::RDS::DBProxyTargetGroup': 1,
      'AWS::RDS::DBSubnetGroup': 1,
      // Master + checkout_app + checkout_reporting credentials, payment provider API key.
      'AWS::SecretsManager::Secret': 4,
      'AWS::SecretsManager::SecretTargetAttachment': 3,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      // payment, inventory (FIFO), fulfillment, notification, analytics + their DLQs; TLS-only policy each.
      'AWS::SQS::Queue': 10,
      'AWS::SQS::QueuePolicy': 10,
    });
  });

  it('keeps every safety rail', () => {
    expect(checkSafetyRails(template)).toEqual([]);
  });

  it('sets a tighter oldest-message alarm on payment than on notification and analytics, all to the SNS topic', () => {
    const [[topicId] = []] = ofType('AWS::SNS::Topic');
    const ageAlarms = ofType('AWS::CloudWatch::Alarm')
      .map(([, r]) => r.Properties)
      .filter((p) => p.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(ageAlarms).toHaveLength(5);
    const thresholdOf = (queueConstructId: string) =>
      ageAlarms.find((p) => String(p.AlarmDescription).startsWith(`Oldest message in ${queueConstructId} `))?.Threshold;
    expect(thresholdOf('PaymentQueue')).toBe(60);
    expect(thresholdOf('InventoryQueue')).toBe(120);
    expect(thresholdOf('NotificationQueue')).toBe(900);
    expect(thresholdOf('AnalyticsQueue')).toBe(3600);
    for (const [, alarm] of ofType('AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it.each([
    ['PaymentWorker', []],
    ['InventoryWorker', ['Inventory']],
    ['FulfillmentWorker', ['Inventory']],
    ['NotificationWorker', []],
    ['AnalyticsWorker', []],
  ])('%s touches only its own tables (and, by checkSafetyRails, only its own queue and DLQ)', (worker, tables) => {
    const tableIds = new Map(ofType('AWS::DynamoDB::Table').map(([id]) => [id, id.replace(/Table[0-9A-F]{8}$/, '')]));
    const policies = ofType('AWS::IAM::Policy').filter(([id]) => id.startsWith(`${worker}HandlerRole`));
    expect(policies).toHaveLength(1);
    const touched = [...referencedLogicalIds(policies[0]?.[1].Properties.PolicyDocument)]
      .filter((ref) => tableIds.has(ref))
      .map((ref) => tableIds.get(ref));
    expect(touched.sort()).toEqual(tables);
  });

  it('lets only the payment worker read the payment provider key', () => {
    const [[secretId] = []] = ofType('AWS::SecretsManager::Secret').filter(([id]) =>
      id.startsWith('PaymentProviderApiKey'),
    );
    expect(secretId).toBeDefined();
    const readers = ofType('AWS::IAM::Policy')
      .filter(([, r]) => referencedLogicalIds(r.Properties.PolicyDocument).has(secretId as string))
      .map(([id]) => id);
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/^PaymentWorker/);
  });

  it('routes the API and throttles its stage', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(['GET /orders/{orderId}', 'GET /reports/daily', 'POST /checkout']);
    const [[, stage] = []] = ofType('AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it('charts queue age, DLQ depth, outbox lag and order states on the dashboard', () => {
    const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'Queue age: oldest message (s)',
      'DLQ depth (messages)',
      'Outbox lag: oldest unpublished row (s)',
      'Orders entering each state',
      'Worker errors',
      'Worker throttles',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('OrdersEnteredState');
    expect(body).toContain('PAYMENT_AUTHORIZED');
  });

  it('exports the endpoints operators need', () => {
    expect(Object.keys(template.Outputs).sort()).toEqual(
      ['AlarmTopicArn', 'ApiUrl', 'DashboardName', 'MasterSecretArn', 'ProxyEndpoint', 'ReadOnlyProxyEndpoint'].sort(),
    );
  });

  it('puts every route of the HTTP API behind the JWT authorizer (no open route)', () => {
    const assertions = Template.fromJSON(template);
    assertions.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    assertions.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuerUrl, Audience: ['checkout-web', 'checkout-mobile'] },
    });
    const [[authorizerId] = []] = ofType('AWS::ApiGatewayV2::Authorizer');
    const routes = assertions.findResources('AWS::ApiGatewayV2::Route');
    expect(Object.keys(routes)).toHaveLength(3);
    assertions.allResourcesProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
    });
    for (const routeKey of ['POST /checkout', 'GET /orders/{orderId}']) {
      assertions.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('grants the checkout API exactly PutItem on the inventory table (cart snapshots), nothing wider', () => {
    const [[inventoryId] = []] = ofType('AWS::DynamoDB::Table').filter(([, table]) =>
      JSON.stringify(table.Properties.KeySchema).includes('"sk"'),
    );
    expect(inventoryId).toBeDefined();
    const policies = ofType('AWS::IAM::Policy').filter(([id]) => id.startsWith('CheckoutApiRole'));
    expect(policies).toHaveLength(1);
    type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
    const [[, policy] = []] = policies;
    const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const onInventory = statements.filter((statement) =>
      referencedLogicalIds(statement.Resource).has(inventoryId as string),
    );
    expect(onInventory).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [inventoryId, 'Arn'] } },
    ]);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
    }
  });
});

describe('examples/checkout-service/infra: JWT authorizer settings', () => {
  // Built-in CloudFormation validation off: these syntheses check the API only.
  const synth = (context: Record<string, unknown>, props: Partial<CheckoutServiceStackProps> = {}) => {
    const app = new App({ context });
    const stack = new CheckoutServiceStack(app, 'CheckoutService', { code: lambdaCode(undefined), ...props });
    return Template.fromStack(stack);
  };

  it('reads the issuer URL and the audience (comma-separated) from CDK context', () => {
    synth({
      [JWT_ISSUER_URL_CONTEXT_KEY]: 'https://auth.example.com/',
      [JWT_AUDIENCE_CONTEXT_KEY]: 'checkout-web, checkout-mobile',
    }).hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://auth.example.com/', Audience: ['checkout-web', 'checkout-mobile'] },
    });
  });

  it('fails synthesis naming the issuer setting when none is given (no silent open API)', () => {
    const attempt = () => synth({ [JWT_AUDIENCE_CONTEXT_KEY]: 'checkout-web' });
    expect(attempt).toThrow(MissingSettingError);
    expect(attempt).toThrow(/checkout:jwtIssuerUrl/);
    expect(attempt).toThrow(/jwtAuthorizer/);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'MISSING_SETTING', setting: 'checkout:jwtIssuerUrl' });
    }
  });

  it('fails synthesis naming the audience setting when it is missing or empty', () => {
    for (const audience of [undefined, '', ' , ']) {
      const context: Record<string, unknown> = { [JWT_ISSUER_URL_CONTEXT_KEY]: 'https://auth.example.com/' };
      if (audience !== undefined) context[JWT_AUDIENCE_CONTEXT_KEY] = audience;
      expect(() => synth(context)).toThrow(/checkout:jwtAudience/);
    }
    expect(() => synth({}, { jwtAuthorizer: { issuerUrl: 'https://auth.example.com/', audience: [] } })).toThrow(
      MissingSettingError,
    );
  });

  it('rejects an issuer that is not an https URL, naming the setting', () => {
    for (const issuer of ['auth.example.com', 'http://auth.example.com/', 'not a url']) {
      const attempt = () => synth({ [JWT_ISSUER_URL_CONTEXT_KEY]: issuer, [JWT_AUDIENCE_CONTEXT_KEY]: 'checkout-web' });
      expect(attempt).toThrow(InvalidSettingError);
      expect(attempt).toThrow(/checkout:jwtIssuerUrl/);
    }
  });

  it('has no route without an authorizer whatever the settings source', () => {
    const assertions = synth({}, { jwtAuthorizer: { issuerUrl: 'https://auth.example.com/', audience: ['a'] } });
    assertions.allResourcesProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizerId: Match.anyValue(),
    });
  });
});
