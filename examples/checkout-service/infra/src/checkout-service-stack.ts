import {
  CheckoutDashboard,
  CheckoutDatabase,
  CheckoutFunction,
  type CheckoutFunctionOptions,
  CheckoutQueue,
  CheckoutWorker,
  type CheckoutWorkerProps,
  DeadlineSweeperFunction,
  InventoryTable,
  OutboxRelayFunction,
} from '@checkout/cdk';
import { LAMBDA_HANDLERS, type LambdaHandlerName } from '@checkout/example-checkout-service/lambda-handlers';
import { QUEUE_NAMES, type QueueName, TOPOLOGY } from '@checkout/example-checkout-service/topology';
import { inventoryTableDefinition } from '@checkout/inventory';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type CheckoutJwtAuthorizerSettings, resolveJwtAuthorizerSettings } from './jwt-authorizer-settings.js';
import { type CheckoutProviderSettings, resolveProviderSettings } from './provider-settings.js';

/**
 * The deployable units of the example service; one Lambda code bundle each (`src/lambda/handlers.ts`
 * of the example: the bundler, this stack and the template-driven test read the same list).
 */
export const HANDLERS = LAMBDA_HANDLERS;
/** Name of one deployable unit. */
export type HandlerName = LambdaHandlerName;

/** Props of {@link CheckoutServiceStack}. */
export interface CheckoutServiceStackProps extends StackProps {
  /** Code of each handler (e.g. `lambda.Code.fromAsset('dist/lambda/payment-worker')`). */
  readonly code: (handler: HandlerName) => lambda.Code;
  /**
   * Identity provider of the JWT authorizer every API route is behind. Default: the CDK context
   * `checkout:jwtIssuerUrl` and `checkout:jwtAudience`; when neither gives an issuer and an audience,
   * construction throws `MissingSettingError` naming the setting (the API is never synthesized open).
   */
  readonly jwtAuthorizer?: CheckoutJwtAuthorizerSettings;
  /**
   * Base URLs of the payment and email providers the workers call. Default: the CDK context
   * `checkout:paymentProviderUrl` and `checkout:emailProviderUrl`, else the reserved
   * `https://*.example.invalid` placeholders (calls fail; messages retry, then park in the DLQs).
   */
  readonly providers?: Partial<CheckoutProviderSettings>;
}

/**
 * The whole seed architecture: HTTP API (every route behind a JWT authorizer) -> checkout Lambda (order + outbox in one Postgres transaction);
 * scheduled outbox relay -> one queue per stage (the example's `topology.ts`); a worker per queue; the inventory table;
 * Aurora Serverless v2 behind RDS Proxy with a reader for reporting; alarms to one SNS topic; a dashboard.
 */
export class CheckoutServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: CheckoutServiceStackProps) {
    super(scope, id, props);
    // Settings first: a stack that cannot get an authorizer fails before anything is created.
    const jwt = resolveJwtAuthorizerSettings(this, props.jwtAuthorizer);
    const providers = resolveProviderSettings(this, props.providers);
    const fn = (handler: HandlerName): CheckoutFunctionOptions => ({
      code: props.code(handler),
      handler: 'index.handler',
      description: `checkout-service ${handler}`,
    });

    // Alarm notifications are encrypted at rest with a key CloudWatch may use (an AWS managed SNS key
    // would refuse CloudWatch's publishes); the key outlives the stack like the data it protects.
    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the checkout-service alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    alarmKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const alarmTopic = new sns.Topic(this, 'Alarms', { enforceSSL: true, masterKey: alarmKey });
    const alarmActions = [new cloudwatchActions.SnsAction(alarmTopic)];

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
      // DynamoDB traffic stays off the NAT gateway (free, and no NAT bottleneck under load).
      gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    const database = new CheckoutDatabase(this, 'Database', { vpc });
    // Tables come from the definitions the runtime packages export, so keys, TTL attribute and the
    // inventory sweeper's index are exactly what the code that reads them expects. (Idempotency keys
    // live in Postgres, in the order's transaction: the example has no DynamoDB idempotency table.)
    const inventory = new InventoryTable(this, 'Inventory', { definition: inventoryTableDefinition });

    // One queue per stage, from the example's topology (`src/topology.ts`), the same one the local
    // runner and the chaos run use: FIFO or not, DLQ after `maxReceiveCount`, visibility from the
    // handler timeout, and the oldest-message alarm set by who waits on the stage.
    const queueIds: Readonly<Record<QueueName, string>> = {
      payment: 'PaymentQueue',
      inventory: 'InventoryQueue',
      fulfillment: 'FulfillmentQueue',
      notification: 'NotificationQueue',
      analytics: 'AnalyticsQueue',
    };
    const queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => {
        const stage = TOPOLOGY[name];
        const queue = new CheckoutQueue(this, queueIds[name], {
          fifo: stage.fifo,
          maxReceiveCount: stage.maxReceiveCount,
          consumerTimeout: Duration.seconds(stage.handlerTimeoutSeconds),
          oldestMessageAgeAlarmThreshold: Duration.seconds(stage.oldestAgeAlarmSeconds),
          alarmActions,
        });
        return [name, queue];
      }),
    ) as Record<QueueName, CheckoutQueue>;
    // Each stage's worker: its queue, its concurrency and the event source's limits from the topology.
    const stageWorker = (
      id: string,
      name: QueueName,
      props: Pick<CheckoutWorkerProps, 'readWriteTables' | 'database' | 'environment'>,
    ) => {
      const stage = TOPOLOGY[name];
      return new CheckoutWorker(this, id, {
        ...fn(`${name}-worker`),
        ...props,
        queue: queues[name],
        timeout: Duration.seconds(stage.handlerTimeoutSeconds),
        reservedConcurrency: stage.concurrency,
        maxConcurrency: stage.lambdaMaxConcurrency,
        batchSize: stage.lambdaBatchSize,
        ...(stage.lambdaMaxBatchingWindowSeconds === undefined
          ? {}
          : { maxBatchingWindow: Duration.seconds(stage.lambdaMaxBatchingWindowSeconds) }),
      });
    };

    const paymentProvider = new secretsmanager.Secret(this, 'PaymentProviderApiKey', {
      description: 'API key of the payment provider; read by the payment worker only.',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const app = { database, user: 'checkout_app' } as const;
    const paymentWorker = stageWorker('PaymentWorker', 'payment', {
      database: app,
      environment: {
        PAYMENT_PROVIDER_SECRET_ARN: paymentProvider.secretArn,
        PAYMENT_PROVIDER_URL: providers.paymentUrl,
      },
    });
    paymentProvider.grantRead(paymentWorker.handler);
    const workers = [
      paymentWorker,
      stageWorker('InventoryWorker', 'inventory', { readWriteTables: [inventory], database: app }),
      // Commits the order's reservation (stock leaves for good) before fulfilling.
      stageWorker('FulfillmentWorker', 'fulfillment', { readWriteTables: [inventory], database: app }),
      stageWorker('NotificationWorker', 'notification', {
        database: app,
        environment: { EMAIL_PROVIDER_URL: providers.emailUrl },
      }),
      stageWorker('AnalyticsWorker', 'analytics', { database: { database, user: 'checkout_reporting' } }),
    ];

    const relay = new OutboxRelayFunction(this, 'OutboxRelay', {
      ...fn('outbox-relay'),
      database,
      databaseUser: 'checkout_app',
      destinations: queues,
      alarmActions,
    });

    // Synchronous path: validate, price, idempotency + order + outbox in one transaction, 201.
    const checkoutApi = new CheckoutFunction(this, 'CheckoutApi', {
      ...fn('checkout-api'),
      timeout: Duration.seconds(10),
      reservedConcurrency: 50,
      vpc,
    });
    // The API only writes cart snapshots to the inventory table (CartSnapshotStore.saveCartSnapshot: one
    // PutItem); it never reads stock or reservations (the workers do). No index ARN: PutItem has none.
    iam.Grant.addToPrincipal({
      grantee: checkoutApi,
      actions: ['dynamodb:PutItem'],
      resourceArns: [inventory.table.tableArn],
    });
    database.grantConnect(checkoutApi, 'checkout_app');
    const reportingApi = new CheckoutFunction(this, 'ReportingApi', {
      ...fn('reporting-api'),
      timeout: Duration.seconds(15),
      reservedConcurrency: 5,
      vpc,
    });
    database.grantConnect(reportingApi, 'checkout_reporting');
    for (const [key, value] of Object.entries({
      ...database.connectionEnvironment('checkout_app'),
      CHECKOUT_TABLE_INVENTORY: inventory.tableName,
    })) {
      checkoutApi.addEnvironment(key, value);
    }
    for (const [key, value] of Object.entries(database.connectionEnvironment('checkout_reporting', 'readOnly'))) {
      reportingApi.addEnvironment(key, value);
    }

    // Every route requires a valid token of the configured issuer and audience: the checkout Lambda reads
    // the principal from `requestContext.authorizer.jwt.claims.sub` and answers 401 without one.
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', jwt.issuerUrl, { jwtAudience: [...jwt.audience] });
    const api = new apigwv2.HttpApi(this, 'Api', { createDefaultStage: false, defaultAuthorizer: authorizer });
    // One JSON line per request: who (the token's sub), what, the answer, and how long it took.
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new apigwv2.HttpStage(this, 'ApiStage', {
      httpApi: api,
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            sourceIp: '$context.identity.sourceIp',
            sub: '$context.authorizer.claims.sub',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    const checkoutIntegration = new HttpLambdaIntegration('Checkout', checkoutApi.function);
    api.addRoutes({ path: '/checkout', methods: [apigwv2.HttpMethod.POST], integration: checkoutIntegration });
    api.addRoutes({ path: '/orders/{orderId}', methods: [apigwv2.HttpMethod.GET], integration: checkoutIntegration });
    api.addRoutes({
      path: '/reports/daily',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Reporting', reportingApi.function),
    });

    // Expired reservations must return stock: TTL deletion alone would lose it.
    const sweep = new CheckoutFunction(this, 'InventorySweep', {
      ...fn('inventory-sweep'),
      timeout: Duration.seconds(60),
      reservedConcurrency: 1,
    });
    inventory.grantReadWriteData(sweep);
    sweep.addEnvironment('CHECKOUT_TABLE_INVENTORY', inventory.tableName);
    new events.Rule(this, 'InventorySweepSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(sweep.function, { retryAttempts: 0 })],
    });
    // A failed sweep (a reservation it could not release fails the invocation) leaves stock held.
    const sweepFailures = sweep.function
      .metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'InventorySweepFailuresAlarm', {
        alarmDescription: 'The inventory sweeper failed: expired reservations may still hold stock.',
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    for (const action of alarmActions) sweepFailures.addAlarmAction(action);

    // Order deadlines (15 minutes to pay, 10 to reserve stock): every minute, a run fires the due ones
    // (timed-out payments cancelled, late authorizations voided); alarm when one is overdue by 5 minutes.
    new DeadlineSweeperFunction(this, 'DeadlineSweeper', {
      ...fn('deadline-sweeper'),
      database,
      databaseUser: 'checkout_app',
      alarmActions,
    });

    const dashboard = new CheckoutDashboard(this, 'Dashboard', { queues: Object.values(queues), workers, relay });

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'ProxyEndpoint', { value: database.proxy.endpoint });
    new CfnOutput(this, 'ReadOnlyProxyEndpoint', { value: database.readOnlyEndpoint.endpoint });
    new CfnOutput(this, 'MasterSecretArn', { value: database.masterSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
  }
}
