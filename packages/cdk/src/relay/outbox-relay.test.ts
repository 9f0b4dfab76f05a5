import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { referencedLogicalIds } from '../assertions/safety-rails.js';
import { CheckoutDatabase } from '../database/checkout-database.js';
import { InvalidConstructPropsError } from '../errors.js';
import { buildCheckoutFixture, environmentOf, inlineCode, logicalId } from '../test-support/checkout-fixture.js';
import { OUTBOX_METRIC_NAMESPACE, OUTBOX_OLDEST_PENDING_AGE_METRIC, OutboxRelay } from './outbox-relay.js';

const fx = buildCheckoutFixture();
const resources = fx.template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(fx.stack, construct);
const fnId = id(fx.relay.handler.function);

describe('OutboxRelay', () => {
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
    ['destinations', { destinations: { 'bad name': fx.paymentQueue } }],
    ['user', { databaseUser: 'postgres' }],
  ] as const)('rejects a bad %s', (field, props) => {
    try {
      new OutboxRelay(fx.stack, `Bad${Math.random()}`, {
        code: inlineCode,
        database: fx.database,
        databaseUser: 'checkout_app',
        destinations: { payment: fx.paymentQueue },
        ...props,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConstructPropsError);
      expect(error).toMatchObject({ field });
    }
  });
});

describe('CheckoutDatabase', () => {
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  it('is Aurora PostgreSQL Serverless v2 with a writer and a reader, encrypted, IAM auth, protected', () => {
    const [[, cluster] = []] = ofType('AWS::RDS::DBCluster');
    expect(cluster?.Properties).toMatchObject({
      Engine: 'aurora-postgresql',
      EngineVersion: '17.9',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 },
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      DatabaseName: 'checkout',
      BackupRetentionPeriod: 7,
    });
    const instances = ofType('AWS::RDS::DBInstance').map(([, r]) => r.Properties);
    expect(instances).toHaveLength(2);
    for (const instance of instances)
      expect(instance).toMatchObject({ DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
    expect(instances.filter((i) => i.PromotionTier === 0)).toHaveLength(1); // the writer
  });

  it('keeps credentials in Secrets Manager: the master user and one secret per application user', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([, r]) =>
      JSON.stringify(r.Properties.GenerateSecretString),
    );
    expect(secrets).toHaveLength(3);
    for (const user of ['checkout_admin', 'checkout_app', 'checkout_reporting']) {
      expect(secrets.some((s) => s.includes(`\\"username\\":\\"${user}\\"`))).toBe(true);
    }
  });

  it('fronts the cluster with an RDS Proxy (IAM auth, TLS) and a read-only endpoint for reporting', () => {
    const [[, proxy] = []] = ofType('AWS::RDS::DBProxy');
    expect(proxy?.Properties).toMatchObject({ EngineFamily: 'POSTGRESQL', RequireTLS: true });
    expect(JSON.stringify(proxy?.Properties.Auth)).toContain('"IAMAuth":"REQUIRED"');
    expect(proxy?.Properties.Auth).toHaveLength(3);
    const [[, group] = []] = ofType('AWS::RDS::DBProxyTargetGroup');
    expect(group?.Properties).toMatchObject({
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 80, ConnectionBorrowTimeout: 30 },
    });
    const [[, endpoint] = []] = ofType('AWS::RDS::DBProxyEndpoint');
    expect(endpoint?.Properties).toMatchObject({
      TargetRole: 'READ_ONLY',
      DBProxyName: { Ref: id(fx.database.proxy) },
    });
  });

  it('opens the proxy port only to the functions that were granted a connection', () => {
    const proxySg = id(fx.database.proxy.connections.securityGroups[0] as never);
    const ingress = ofType('AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(proxySg));
    const sources = ingress.flatMap((p) => [...referencedLogicalIds(p.SourceSecurityGroupId)]);
    const expected = [fx.paymentWorker.handler, fx.relay.handler].map((h) =>
      id(h.connections.securityGroups[0] as never),
    );
    expect(new Set(sources)).toEqual(new Set(expected));
    for (const p of ingress) expect(p).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
  });

  it.each([
    ['databaseName', { databaseName: 'checkout; drop database x' }],
    ['applicationUsers', { applicationUsers: ['App-User'] }],
    ['applicationUsers', { applicationUsers: ['app', 'app'] }],
    ['minCapacity', { minCapacity: 4, maxCapacity: 2 }],
    ['maxConnectionsPercent', { maxConnectionsPercent: 101 }],
  ] as const)('rejects a bad %s before creating the cluster', (field, props) => {
    const scope = fx.stack;
    const name = `BadDb${Math.random().toString(36).slice(2)}`;
    try {
      new CheckoutDatabase(scope, name, { vpc: fx.database.vpc, ...props });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_CONSTRUCT_PROPS', field });
    }
    expect(scope.node.tryFindChild(name)?.node.children).toEqual([]);
  });
});
