import { fieldPath } from '@checkout/core';
import { Duration, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CheckoutCdkConfigError } from '../errors.js';

/** Props of {@link CheckoutDatabase}. */
export interface CheckoutDatabaseProps {
  /**
   * VPC with private subnets (with egress) for the cluster, the proxy and the functions that connect.
   * (`ec2.Vpc` is listed because under `exactOptionalPropertyTypes` it is not assignable to `IVpc`.)
   */
  readonly vpc: ec2.IVpc | ec2.Vpc;
  /** Default: `checkout`. */
  readonly databaseName?: string;
  /** Default: Aurora PostgreSQL 17.9. */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /** Serverless v2 capacity range in ACUs. Default: 0.5 to 8. */
  readonly minCapacity?: number;
  /** See `minCapacity`. */
  readonly maxCapacity?: number;
  /**
   * Database users the applications log in as through the proxy (IAM auth to the proxy; the proxy logs in
   * with a generated Secrets Manager secret per user). Create them in Postgres with the secret's password.
   * Default: `['checkout_app', 'checkout_reporting']`.
   */
  readonly applicationUsers?: ReadonlyArray<string>;
  /** Share of `max_connections` the proxy may open. Default: 80 (headroom for migrations and operators). */
  readonly maxConnectionsPercent?: number;
  /** Default: `SNAPSHOT` (a final snapshot when the cluster leaves the stack). */
  readonly removalPolicy?: RemovalPolicy;
  /** Default: `true`. */
  readonly deletionProtection?: boolean;
  /** Default: 7 days. */
  readonly backupRetention?: Duration;
}

const POSTGRES_PORT = 5432;
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Aurora PostgreSQL Serverless v2 (a writer and a reader for reporting), credentials in Secrets Manager,
 * and an RDS Proxy in front: Lambda bursts open proxy connections, not database connections, so a spike
 * of workers cannot exhaust `max_connections`. Clients authenticate to the proxy with IAM (no password
 * in the function) over TLS; reporting uses the proxy's read-only endpoint, which routes to the reader.
 */
export class CheckoutDatabase extends Construct {
  /** The Aurora cluster. */
  readonly cluster: rds.DatabaseCluster;
  /** The RDS Proxy for the workers (read/write, routes to the writer). */
  readonly proxy: rds.DatabaseProxy;
  /** The proxy's read-only endpoint (routes to the reader), for reporting. */
  readonly readOnlyEndpoint: rds.IDatabaseProxyEndpoint;
  /** Master credentials (used by the proxy and by migrations, never by functions). */
  readonly masterSecret: secretsmanager.ISecret;
  /** Secret per application user, by user name. */
  readonly userSecrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** Database name. */
  readonly databaseName: string;
  /** The VPC of the cluster and proxy; functions that connect are placed in it. */
  readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: CheckoutDatabaseProps) {
    super(scope, id);
    const path = this.node.path;
    const vpc = props.vpc as ec2.IVpc;
    this.vpc = vpc;
    this.databaseName = props.databaseName ?? 'checkout';
    if (!PG_IDENTIFIER.test(this.databaseName)) {
      throw new CheckoutCdkConfigError(path, 'databaseName', `must match ${PG_IDENTIFIER}`);
    }
    const users = props.applicationUsers ?? ['checkout_app', 'checkout_reporting'];
    users.forEach((user, index) => {
      const field = fieldPath('applicationUsers', index);
      if (!PG_IDENTIFIER.test(user) || user === 'checkout_admin') {
        throw new CheckoutCdkConfigError(path, field, `${user} must match ${PG_IDENTIFIER} and not be the master user`);
      }
      if (users.indexOf(user) !== index) throw new CheckoutCdkConfigError(path, field, `duplicate user ${user}`);
    });
    const minCapacity = props.minCapacity ?? 0.5;
    const maxCapacity = props.maxCapacity ?? 8;
    if (!(minCapacity >= 0 && maxCapacity >= 1 && maxCapacity <= 256 && minCapacity <= maxCapacity)) {
      throw new CheckoutCdkConfigError(
        path,
        'minCapacity',
        'needs 0 <= minCapacity <= maxCapacity, 1 <= maxCapacity <= 256',
      );
    }
    const maxConnectionsPercent = props.maxConnectionsPercent ?? 80;
    if (!Number.isInteger(maxConnectionsPercent) || maxConnectionsPercent < 1 || maxConnectionsPercent > 100) {
      throw new CheckoutCdkConfigError(path, 'maxConnectionsPercent', 'must be an integer in [1, 100]');
    }

    const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({
        version: props.engineVersion ?? rds.AuroraPostgresEngineVersion.VER_17_9,
      }),
      credentials: rds.Credentials.fromGeneratedSecret('checkout_admin'),
      defaultDatabaseName: this.databaseName,
      port: POSTGRES_PORT,
      vpc,
      vpcSubnets: subnets,
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      // The reporting reader scales on its own: a heavy report does not drag the writer's capacity around.
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: false })],
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
      backup: { retention: props.backupRetention ?? Duration.days(7) },
    });
    if (this.cluster.secret === undefined) {
      throw new CheckoutCdkConfigError(path, 'credentials', 'the cluster has no generated secret');
    }
    this.masterSecret = this.cluster.secret;
    // Credentials outlive the stack like the cluster's snapshot: a snapshot nobody can log in to is lost data.
    // (`cluster.secret` is the attachment; the generated secret itself is the cluster's child `Secret`.)
    const generated = this.cluster.node.tryFindChild('Secret');
    if (generated instanceof Resource) generated.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const userSecrets = new Map<string, secretsmanager.ISecret>();
    for (const user of users) {
      const secret = new rds.DatabaseSecret(this, `UserSecret-${user}`, { username: user, dbname: this.databaseName });
      secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
      userSecrets.set(user, secret.attach(this.cluster));
    }
    this.userSecrets = userSecrets;
    this.proxy = this.cluster.addProxy('Proxy', {
      vpc,
      vpcSubnets: subnets,
      secrets: [this.masterSecret, ...userSecrets.values()],
      iamAuth: true,
      requireTLS: true,
      maxConnectionsPercent,
      borrowTimeout: Duration.seconds(30),
    });
    this.cluster.connections.allowDefaultPortFrom(this.proxy, 'RDS Proxy to Aurora');
    this.readOnlyEndpoint = this.proxy.addEndpoint('ReadOnly', {
      vpc,
      vpcSubnets: subnets,
      securityGroups: this.proxy.connections.securityGroups,
      targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
    });
  }

  /**
   * Lets `grantee` connect to the proxy as `user` with IAM auth: `rds-db:connect` on that one proxy user,
   * plus a security-group rule from the grantee to the proxy port.
   */
  grantConnect(grantee: iam.IGrantable & ec2.IConnectable, user: string): void {
    this.checkUser(user);
    this.proxy.grantConnect(grantee, user);
    this.proxy.connections.allowFrom(grantee, ec2.Port.tcp(POSTGRES_PORT), `${user} to RDS Proxy`);
  }

  private checkUser(user: string): void {
    if (!this.userSecrets.has(user)) {
      throw new CheckoutCdkConfigError(
        this.node.path,
        'user',
        `${user} is not one of applicationUsers (${[...this.userSecrets.keys()].join(', ')})`,
      );
    }
  }

  /**
   * Environment variables a function needs to reach the database as `user`: `CHECKOUT_DB_HOST` (the
   * proxy's read/write or read-only endpoint), `CHECKOUT_DB_PORT`, `CHECKOUT_DB_NAME`,
   * `CHECKOUT_DB_USER`, and `CHECKOUT_DB_AUTH` = `iam` (the proxy takes IAM auth tokens over TLS).
   */
  connectionEnvironment(user: string, endpoint: 'readWrite' | 'readOnly' = 'readWrite'): Record<string, string> {
    this.checkUser(user);
    return {
      CHECKOUT_DB_HOST: endpoint === 'readWrite' ? this.proxy.endpoint : this.readOnlyEndpoint.endpoint,
      CHECKOUT_DB_PORT: String(POSTGRES_PORT),
      CHECKOUT_DB_NAME: this.databaseName,
      CHECKOUT_DB_USER: user,
      CHECKOUT_DB_AUTH: 'iam',
    };
  }
}
