import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CheckoutCdkConfigError } from '../errors.js';
import { checkInteger, concreteSeconds } from '../internal/duration.js';

/** Lambda settings shared by every function the package creates. */
export interface CheckoutFunctionOptions {
  /** The deployment package, e.g. `lambda.Code.fromAsset('dist/payment-worker')`. No bundling happens at synth. */
  readonly code: lambda.Code;
  /** Default: `index.handler`. */
  readonly handler?: string;
  /** Default: Node.js 24 (`nodejs24.x`). */
  readonly runtime?: lambda.Runtime;
  /** Default: ARM64 (Graviton: cheaper per ms, same Node code). */
  readonly architecture?: lambda.Architecture;
  /** Default: 30 s. Must be a concrete duration: queue visibility timeouts are checked against it at synth. */
  readonly timeout?: Duration;
  /** Default: 512 MB. */
  readonly memorySize?: number;
  /** Extra environment variables (merged over the ones the construct sets). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Default: one month. */
  readonly logRetention?: logs.RetentionDays;
  /** Optional description shown in the console. */
  readonly description?: string;
  /**
   * AWS X-Ray active tracing. Default `true`: Lambda samples and records each invocation and
   * continues the `AWSTraceHeader` SQS carries (the outbox relay sends it), and the role gets
   * `xray:PutTraceSegments` / `xray:PutTelemetryRecords` (on `*`: X-Ray has no resource-level
   * permissions for them). `false`: tracing off, no X-Ray permission.
   */
  readonly tracing?: boolean;
}

/** Props of {@link CheckoutFunction}. */
export interface CheckoutFunctionProps extends CheckoutFunctionOptions {
  /** Reserved concurrency: caps this function so it cannot starve the account or flood Aurora. */
  readonly reservedConcurrency: number;
  /** Places the function in this VPC's private subnets (needed to reach the RDS Proxy). */
  readonly vpc?: ec2.IVpc | ec2.Vpc;
  /** Default: private subnets with egress. */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

// Lambda needs these to attach its ENIs; EC2 offers no resource-level permission for them, so `*` is
// what the service requires (with X-Ray's two write actions, added by CDK for active tracing, the
// only `*` the package writes).
const VPC_ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * A Lambda function with the package's defaults: its own IAM role that starts empty (no AWS managed
 * policy, so no `logs:*` on `*`), its own log group with retention and write access to it only,
 * reserved concurrency, Node.js 24 on ARM64. Other constructs grant it exactly what it uses.
 */
export class CheckoutFunction extends Construct implements iam.IGrantable, ec2.IConnectable {
  /** The function. */
  readonly function: lambda.Function;
  /** Its execution role (starts with no permissions). */
  readonly role: iam.Role;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;
  /** Its timeout. */
  readonly timeout: Duration;
  /** Its reserved concurrency. */
  readonly reservedConcurrency: number;
  /** Whether X-Ray active tracing is on (`tracing`, default `true`). */
  readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: CheckoutFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.seconds(30);
    checkInteger(concreteSeconds(this.timeout, this.node.path, 'timeout'), 1, 900, this.node.path, 'timeout');
    this.reservedConcurrency = checkInteger(
      props.reservedConcurrency,
      1,
      10_000,
      this.node.path,
      'reservedConcurrency',
    );
    if (props.tracing !== undefined && typeof props.tracing !== 'boolean') {
      throw new CheckoutCdkConfigError(this.node.path, 'tracing', 'must be a boolean');
    }
    this.tracing = props.tracing !== false;
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc !== undefined) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: VPC_ENI_ACTIONS, resources: ['*'] }));
    }
    this.function = new lambda.Function(this, 'Function', {
      code: props.code,
      handler: props.handler ?? 'index.handler',
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      timeout: this.timeout,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: this.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      // Active: CDK adds the two X-Ray write actions to the role.
      tracing: this.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...(props.description === undefined ? {} : { description: props.description }),
      ...(props.vpc === undefined
        ? {}
        : {
            vpc: props.vpc as ec2.IVpc,
            vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          }),
    });
  }

  /** The role's principal, so `queue.grantSendMessages(fn)` and friends work on this construct. */
  get grantPrincipal(): iam.IPrincipal {
    return this.role;
  }

  /** Security groups of the function (empty outside a VPC). */
  get connections(): ec2.Connections {
    return this.function.connections;
  }

  /** Adds an environment variable to the function. */
  addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }
}
