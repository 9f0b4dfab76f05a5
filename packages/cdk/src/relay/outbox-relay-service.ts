import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkInteger } from '../internal/duration.js';
import { createOldestPendingAgeAlarm, type OutboxRelaySettings, resolveRelaySettings } from './relay-settings.js';

/** Props of {@link OutboxRelayService}. */
export interface OutboxRelayServiceProps extends OutboxRelaySettings {
  /** Image running the long-lived relay (`relay.start()`), e.g. `ecs.ContainerImage.fromAsset('relay')`. */
  readonly image: ecs.ContainerImage;
  /** Cluster to run in (`ecs.Cluster` listed for `exactOptionalPropertyTypes`). Default: a new cluster in the database's VPC. */
  readonly cluster?: ecs.ICluster | ecs.Cluster;
  /** Running relays. Default: 2 (the relay is safe as N concurrent relays; one task may die without a gap). */
  readonly desiredCount?: number;
  /** Fargate CPU units. Default: 256. */
  readonly cpu?: number;
  /** Fargate memory. Default: 512 MiB. */
  readonly memoryLimitMiB?: number;
  /** Extra environment variables (merged over the ones the construct sets). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Default: one month. */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The outbox relay as a long-running ECS Fargate service (LISTEN/NOTIFY wake-ups, no cold start, no
 * per-run bound). Same rails as the Lambda `OutboxRelayFunction`: its task role can only send to the destination
 * queues and connect to the proxy as its database user, logs go to its own log group, and the lag alarm
 * fires on age or silence. Deployments keep the running relays until new ones are healthy
 * (`minHealthyPercent` 100) and roll back on failure (circuit breaker).
 *
 * Container environment: `OUTBOX_DESTINATIONS`, `OUTBOX_METRIC_NAMESPACE`, `OUTBOX_METRIC_SERVICE`, `CHECKOUT_DB_*`.
 */
export class OutboxRelayService extends Construct implements ec2.IConnectable {
  /** The Fargate service. */
  readonly service: ecs.FargateService;
  /** Its task definition (task role: the relay's permissions). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;
  /** Fires when the oldest unpublished row is too old, or when the metric stops arriving. */
  readonly oldestPendingAgeAlarm: cloudwatch.Alarm;
  /** The metric the alarm watches. */
  readonly oldestPendingAgeMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: OutboxRelayServiceProps) {
    super(scope, id);
    const path = this.node.path;
    const desiredCount = checkInteger(props.desiredCount ?? 2, 1, 100, path, 'desiredCount');
    const resolved = resolveRelaySettings(this, props);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addContainer('Relay', {
      image: props.image,
      essential: true,
      readonlyRootFilesystem: true,
      environment: { ...resolved.environment, ...props.environment },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'relay' }),
      // The relay finishes in-flight publishes on SIGTERM (`stop()`); give it time before SIGKILL.
      stopTimeout: Duration.seconds(60),
    });
    // `ecs.Cluster` is not assignable to `ICluster` under exactOptionalPropertyTypes (CDK typing), hence the cast.
    const cluster: ecs.ICluster =
      (props.cluster as ecs.ICluster | undefined) ??
      (new ecs.Cluster(this, 'Cluster', {
        vpc: props.database.vpc,
        containerInsightsV2: ecs.ContainerInsights.ENABLED,
      }) as ecs.ICluster);
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
    });
    const taskRole = this.taskDefinition.taskRole;
    for (const queue of Object.values(props.destinations)) queue.grantSendMessages(taskRole);
    props.database.grantConnect(
      { grantPrincipal: taskRole, connections: this.service.connections },
      props.databaseUser,
    );

    this.oldestPendingAgeMetric = resolved.metric;
    this.oldestPendingAgeAlarm = createOldestPendingAgeAlarm(this, resolved, props.alarmActions);
  }

  /** Security groups of the relay tasks. */
  get connections(): ec2.Connections {
    return this.service.connections;
  }
}
