import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { checkSafetyRails, referencedLogicalIds } from '../assertions/safety-rails.js';
import { CheckoutDatabase } from '../database/checkout-database.js';
import { CheckoutQueue } from '../queue/checkout-queue.js';
import { logicalId, testStack } from '../test-support/checkout-fixture.js';
import { OutboxRelayService } from './outbox-relay-service.js';

const stack = testStack('RelayService');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const database = new CheckoutDatabase(stack, 'Database', { vpc });
const payment = new CheckoutQueue(stack, 'PaymentQueue');
const other = new CheckoutQueue(stack, 'OtherQueue'); // not a destination
const relay = new OutboxRelayService(stack, 'Relay', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
  database,
  databaseUser: 'checkout_app',
  destinations: { payment },
  oldestPendingAgeAlarmThreshold: Duration.minutes(2),
});
const json = Template.fromStack(stack).toJSON();
const resources = json.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(stack, construct);

describe('OutboxRelayService', () => {
  it('runs 2 relays on Fargate ARM64 that are never all replaced at once, with rollback', () => {
    const [[, service] = []] = ofType('AWS::ECS::Service');
    expect(service?.Properties).toMatchObject({
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    const [[, task] = []] = ofType('AWS::ECS::TaskDefinition');
    expect(task?.Properties).toMatchObject({
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: '256',
      Memory: '512',
    });
    const [container] = (task?.Properties.ContainerDefinitions ?? []) as Array<Record<string, unknown>>;
    expect(container).toMatchObject({ ReadonlyRootFilesystem: true, StopTimeout: 60, Essential: true });
    const env = Object.fromEntries(
      ((container?.Environment ?? []) as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, e.Value]),
    );
    expect(env).toMatchObject({ CHECKOUT_DB_USER: 'checkout_app', OUTBOX_METRIC_NAMESPACE: 'CheckoutKit/Outbox' });
    expect(referencedLogicalIds(env.OUTBOX_DESTINATIONS)).toEqual(new Set([id(payment.queue)]));
  });

  it('task role: send to its destinations and connect as its user, nothing else', () => {
    const taskRoleId = id(relay.taskDefinition.taskRole as never);
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: taskRoleId }]))
      .flatMap(
        ([, r]) =>
          (r.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> })
            .Statement,
      );
    const refs = new Set(statements.flatMap((s) => [...referencedLogicalIds(s.Resource)]));
    expect(refs).toEqual(new Set([id(payment.queue), id(database.proxy)]));
    expect(refs.has(id(other.queue))).toBe(false);
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      ['rds-db:connect', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort(),
    );
  });

  it('alarms on lag or silence, reaches the proxy, and keeps every rail', () => {
    const alarm = ofType('AWS::CloudWatch::Alarm').find(
      ([, r]) => r.Properties.MetricName === 'OldestPendingAgeSeconds',
    );
    expect(alarm?.[1].Properties).toMatchObject({ Threshold: 120, TreatMissingData: 'breaching' });
    const proxySg = id(database.proxy.connections.securityGroups[0] as never);
    const serviceSg = id(relay.connections.securityGroups[0] as never);
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(
      ingress.some(
        (p) =>
          referencedLogicalIds(p.GroupId).has(proxySg) && referencedLogicalIds(p.SourceSecurityGroupId).has(serviceSg),
      ),
    ).toBe(true);
    expect(checkSafetyRails(json)).toEqual([]);
  });

  it('allows only the ECR login on "*" when the image comes from a private registry', () => {
    const s = testStack('Ecr');
    const db = new CheckoutDatabase(s, 'Database', { vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 }) });
    const repository = new ecr.Repository(s, 'Repo');
    new OutboxRelayService(s, 'Relay', {
      image: ecs.ContainerImage.fromEcrRepository(repository, 'v1'),
      database: db,
      databaseUser: 'checkout_app',
      destinations: { payment: new CheckoutQueue(s, 'Q') },
    });
    const template = Template.fromStack(s).toJSON();
    expect(JSON.stringify(template)).toContain('ecr:GetAuthorizationToken');
    expect(checkSafetyRails(template)).toEqual([]);
  });

  it('rejects a bad desiredCount before creating anything', () => {
    const build = () =>
      new OutboxRelayService(stack, 'Bad', {
        image: ecs.ContainerImage.fromRegistry('x'),
        database,
        databaseUser: 'checkout_app',
        destinations: { payment },
        desiredCount: 0,
      });
    expect(build).toThrow(expect.objectContaining({ code: 'CDK_INVALID_CONFIG', field: 'desiredCount' }));
    expect(stack.node.tryFindChild('Bad')?.node.children).toEqual([]);
  });
});
