import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { referencedLogicalIds } from '../assertions/safety-rails.js';
import { CheckoutFunction } from '../function/checkout-function.js';
import { inlineCode, logicalId, testStack } from '../test-support/checkout-fixture.js';
import { CheckoutDatabase } from './checkout-database.js';

const stack = testStack('Db');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const database = new CheckoutDatabase(stack, 'Database', { vpc });
const inVpc = (id: string) => new CheckoutFunction(stack, id, { code: inlineCode, reservedConcurrency: 1, vpc });
const writer = inVpc('Writer');
const reporter = inVpc('Reporter');
const bystander = inVpc('Bystander'); // in the VPC, never granted
database.grantConnect(writer, 'checkout_app');
database.grantConnect(reporter, 'checkout_reporting');
const resources = Template.fromStack(stack).toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(stack, construct);
const sgOf = (fn: CheckoutFunction) => id(fn.connections.securityGroups[0] as never);

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
      DBProxyName: { Ref: id(database.proxy) },
    });
  });

  it('opens the proxy port only to the functions that were granted a connection', () => {
    const proxySg = id(database.proxy.connections.securityGroups[0] as never);
    const ingress = ofType('AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(proxySg));
    const sources = ingress.flatMap((p) => [...referencedLogicalIds(p.SourceSecurityGroupId)]);
    expect(new Set(sources)).toEqual(new Set([sgOf(writer), sgOf(reporter)]));
    expect(sources).not.toContain(sgOf(bystander));
    for (const p of ingress) expect(p).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
  });

  it('grants rds-db:connect on the proxy as exactly the named user', () => {
    const connectOf = (fn: CheckoutFunction) =>
      ofType('AWS::IAM::Policy')
        .filter(([, r]) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: id(fn.role) }]))
        .flatMap(
          ([, r]) =>
            (r.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement,
        )
        .filter((s) => s.Action === 'rds-db:connect');
    expect(connectOf(writer)).toHaveLength(1);
    expect(JSON.stringify(connectOf(writer)[0]?.Resource)).toMatch(/"\/checkout_app"\]/);
    expect(JSON.stringify(connectOf(reporter)[0]?.Resource)).toMatch(/"\/checkout_reporting"\]/);
    expect(connectOf(bystander)).toEqual([]);
    expect(() => database.grantConnect(bystander, 'postgres')).toThrow(expect.objectContaining({ field: 'user' }));
  });

  it('gives functions the endpoint, database and user, never a password', () => {
    expect(database.connectionEnvironment('checkout_reporting', 'readOnly')).toMatchObject({
      CHECKOUT_DB_PORT: '5432',
      CHECKOUT_DB_NAME: 'checkout',
      CHECKOUT_DB_USER: 'checkout_reporting',
    });
    expect(stack.resolve(database.connectionEnvironment('checkout_app').CHECKOUT_DB_HOST)).toEqual({
      'Fn::GetAtt': [id(database.proxy), 'Endpoint'],
    });
    expect(stack.resolve(database.connectionEnvironment('checkout_app', 'readOnly').CHECKOUT_DB_HOST)).toEqual({
      'Fn::GetAtt': [id(database.readOnlyEndpoint as never), 'Endpoint'],
    });
  });

  it.each([
    ['databaseName', { databaseName: 'checkout; drop database x' }],
    ['applicationUsers[0]', { applicationUsers: ['App-User'] }],
    ['applicationUsers[1]', { applicationUsers: ['app', 'app'] }],
    ['minCapacity', { minCapacity: 4, maxCapacity: 2 }],
    ['maxConnectionsPercent', { maxConnectionsPercent: 101 }],
  ] as const)('rejects a bad %s before creating the cluster', (field, props) => {
    const scope = stack;
    const name = `BadDb${Math.random().toString(36).slice(2)}`;
    try {
      new CheckoutDatabase(scope, name, { vpc: vpc, ...props });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'CDK_INVALID_CONFIG', field });
    }
    expect(scope.node.tryFindChild(name)?.node.children).toEqual([]);
  });
});
