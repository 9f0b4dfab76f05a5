// The CDK app run locally exactly as AWS would run it: synthesize with the real bundles, create what
// the template declares on the local stack, start every function from its asset directory with the
// environment the template gives it, and drive 20 orders through HTTP API v2 events, SQS event
// source mappings and scheduled events. Then: the demo's invariants, and least privilege both ways.
//
// What the local run substitutes, and only this: the RDS Proxy's endpoint, port and database name
// point at the local Postgres, and `CHECKOUT_DB_AUTH=iam` (IAM token over TLS, which only the proxy
// checks) becomes the user's own secret without TLS; AWS endpoints are the local emulators behind a
// recording endpoint (`AWS_ENDPOINT_URL_*`). Every other variable is the template's, resolved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  CHECKOUT_SCHEMA,
  type CheckoutSubmission,
  checkInvariants,
  createCheckoutDeps,
  DEMO_CATALOG,
  EmailSimulator,
  migrateCheckoutDatabase,
  PaymentProviderClient,
  PaymentProviderSimulator,
  startSimulatorServer,
} from '@checkout/example-checkout-service/template-run-support';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { App } from 'aws-cdk-lib';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutServiceStack } from './checkout-service-stack.js';
import { lambdaCode } from './lambda-code.js';
import { buildFreshLambdaBundles } from './test-support/ensure-bundles.js';
import { type LocalAws, type RecordedAwsCall, startLocalAws } from './test-support/local-aws.js';
import { type LocalLambda, startLocalLambda } from './test-support/local-lambda.js';
import {
  type CfnTemplate,
  createLocalResources,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type LocalResources,
  resourcesOfType,
  type TemplateFunction,
  templateFunctions,
} from './test-support/local-template.js';

const stackInfo = useCheckoutStack();
const ORDERS = 20;
const INITIAL_STOCK = { mug: 1_000, tee: 1_000, hot: 6 };
const POISON_MARKER = 'poison-template-run';

/**
 * Granted but not called during the local run, each with why it is still needed: anything else a
 * policy grants and no function uses fails the run (least privilege, the unused direction).
 */
const PRODUCTION_ONLY: ReadonlyArray<readonly [RegExp, string]> = [
  [/^logs:(CreateLogStream|PutLogEvents)$/, 'the Lambda runtime writes the function logs'],
  [/^xray:(PutTraceSegments|PutTelemetryRecords)$/, 'active tracing: the Lambda runtime sends the X-Ray segments'],
  [/^ec2:/, 'the Lambda service attaches the VPC network interfaces'],
  [/^rds-db:connect$/, 'IAM auth to the RDS Proxy (the local run logs in with the user secret instead)'],
  [/^sqs:(GetQueueUrl|GetQueueAttributes)$/, "the event source mapping's poller (CDK grants them with the mapping)"],
  [/^sqs:ChangeMessageVisibility$/, 'backoff of a failed record (no transient failure in a clean run)'],
  [/^sqs:SendMessage$/, 'parking poison in the DLQ (only the stage that receives poison uses it in this run)'],
  [
    /^dynamodb:(BatchGetItem|BatchWriteItem|ConditionCheckItem|DeleteItem|DescribeTable|GetRecords|GetShardIterator|Scan)$/,
    'part of grantReadWriteData (item read/write on the table); the inventory package does not call it',
  ],
  [/^secretsmanager:DescribeSecret$/, 'part of secret.grantRead; the worker only calls GetSecretValue'],
  [/^dynamodb:(GetItem|Query|PutItem|UpdateItem|TransactWriteItems)$/, 'an inventory path this run did not take'],
];

/** The IAM action a call is authorized as (batch APIs are authorized as their single-item action). */
const iamAction = (call: RecordedAwsCall) =>
  `${call.service}:${call.service === 'sqs' ? call.action.replace(/Batch$/, '') : call.action}`;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

describe('the CDK template, run locally as AWS would', () => {
  let outdir: string;
  let dist: string | undefined;
  let template: CfnTemplate;
  let local: LocalResources;
  let aws: LocalAws;
  let functions: TemplateFunction[];
  const lambdas = new Map<string, LocalLambda>();
  let simulators: Awaited<ReturnType<typeof startSimulatorServer>>;
  const payment = new PaymentProviderSimulator({ seed: 19, faults: { rateLimitPerSecond: 100 } });
  const email = new EmailSimulator();
  let admin: SQSClient;
  let dynamodb: DynamoDBClient;
  let db: Kysely<never>;
  let dbPool: pg.Pool;
  let adminPool: pg.Pool;
  let databaseName: string;
  let deps: ReturnType<typeof createCheckoutDeps>;
  const submissions: CheckoutSubmission[] = [];
  const localOnlySecrets = new Set<string>();

  beforeAll(async () => {
    dist = await buildFreshLambdaBundles();
    simulators = await startSimulatorServer({ payment, email });
    outdir = mkdtempSync(join(tmpdir(), 'checkout-template-run-'));
    // Asset metadata on (as the CDK CLI sets it): each function names its asset directory.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new CheckoutServiceStack(app, 'CheckoutService', {
      code: lambdaCode(dist),
      jwtAuthorizer: { issuerUrl: 'https://issuer.example.test/', audience: ['checkout'] },
      providers: { paymentUrl: simulators.url, emailUrl: simulators.url },
    });
    template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;

    admin = new SQSClient(stackInfo.sqs.clientConfig);
    dynamodb = new DynamoDBClient(stackInfo.dynamodb.clientConfig);
    const secrets = new Map<string, string>();
    aws = await startLocalAws({
      sqsEndpoint: String(stackInfo.sqs.clientConfig.endpoint),
      dynamodbEndpoint: String(stackInfo.dynamodb.clientConfig.endpoint),
      secrets,
    });
    local = await createLocalResources(
      template,
      { sqs: admin, dynamodb },
      uniqueName('tpl').slice(0, 20),
      aws.endpoints.sqs,
    );
    for (const secret of local.secrets.values()) secrets.set(secret.arn, secret.value);

    // Postgres: a fresh database, the database users the template's secrets hold, migrations as an operator.
    const url = new URL(stackInfo.postgres.url);
    adminPool = new pg.Pool({ connectionString: stackInfo.postgres.url, max: 2 });
    databaseName = uniqueName('cktpl');
    await adminPool.query(`CREATE DATABASE ${databaseName}`);
    const users = new Map<string, string>();
    for (const secret of local.secrets.values()) {
      let parsed: { username?: string; password?: string } = {};
      try {
        parsed = JSON.parse(secret.value) as typeof parsed;
      } catch {
        continue; // a plain string secret (the payment provider's API key)
      }
      if (parsed.username?.startsWith('checkout_') === true && parsed.username !== 'checkout_admin') {
        users.set(parsed.username, parsed.password ?? '');
      }
    }
    for (const [user, password] of users) {
      await adminPool.query(`DO $$ BEGIN CREATE ROLE ${user} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      await adminPool.query(`ALTER ROLE ${user} WITH LOGIN PASSWORD '${password}'`);
    }
    const dbUrl = new URL(stackInfo.postgres.url);
    dbUrl.pathname = `/${databaseName}`;
    dbPool = new pg.Pool({ connectionString: dbUrl.toString(), max: 4 });
    dbPool.on('error', () => {});
    db = new Kysely<never>({ dialect: new PostgresDialect({ pool: dbPool }) });
    const [inventoryTable] = [...local.tables.values()];
    deps = createCheckoutDeps({
      db: db as never,
      schema: CHECKOUT_SCHEMA,
      dynamodb,
      inventoryTable: inventoryTable?.name ?? '',
      catalog: DEMO_CATALOG,
      payment: new PaymentProviderClient(simulators.url),
      email,
    });
    await migrateCheckoutDatabase(db, { schema: CHECKOUT_SCHEMA, outbox: deps.outbox });
    await sql
      .raw(
        `GRANT USAGE ON SCHEMA ${CHECKOUT_SCHEMA} TO checkout_app, checkout_reporting;
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${CHECKOUT_SCHEMA} TO checkout_app;
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${CHECKOUT_SCHEMA} TO checkout_app, checkout_reporting;
         GRANT SELECT ON ALL TABLES IN SCHEMA ${CHECKOUT_SCHEMA} TO checkout_reporting;
         GRANT INSERT ON ${CHECKOUT_SCHEMA}.order_report TO checkout_reporting;`,
      )
      .execute(db);
    for (const [sku, units] of Object.entries(INITIAL_STOCK)) await deps.inventory.setStock(sku, units);

    functions = templateFunctions(template, outdir, local);
    const userSecretArn = (user: string) =>
      [...local.secrets.values()].find((secret) => secret.value.includes(`"username":"${user}"`))?.arn ?? '';
    await Promise.all(
      functions.map(async (fn) => {
        const environment: Record<string, string> = { ...fn.environment };
        if (environment.CHECKOUT_DB_AUTH !== undefined) {
          environment.CHECKOUT_DB_AUTH = 'secret';
          environment.CHECKOUT_DB_SECRET_ARN = userSecretArn(environment.CHECKOUT_DB_USER ?? '');
          localOnlySecrets.add(environment.CHECKOUT_DB_SECRET_ARN);
          environment.CHECKOUT_DB_TLS = 'disable';
        }
        if (environment.CHECKOUT_DB_PORT !== undefined) environment.CHECKOUT_DB_PORT = url.port;
        if (environment.CHECKOUT_DB_NAME !== undefined) environment.CHECKOUT_DB_NAME = databaseName;
        lambdas.set(
          fn.logicalId,
          await startLocalLambda({
            name: fn.handler,
            file: fn.file,
            exportName: fn.exportName,
            timeoutMs: fn.timeoutMs,
            environment: {
              ...environment,
              // What the Lambda runtime sets, and the local endpoints (recorded per function by its key id).
              AWS_REGION: LOCAL_REGION,
              AWS_DEFAULT_REGION: LOCAL_REGION,
              AWS_ACCESS_KEY_ID: fn.logicalId,
              AWS_SECRET_ACCESS_KEY: 'local',
              AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
              AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
              AWS_ENDPOINT_URL_SQS: aws.endpoints.sqs,
              AWS_ENDPOINT_URL_DYNAMODB: aws.endpoints.dynamodb,
              AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoints.secretsmanager,
            },
          }),
        );
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...lambdas.values()].map((lambda) => lambda.stop()));
    await aws?.stop();
    await simulators?.stop();
    await db?.destroy();
    await adminPool?.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => {});
    await adminPool?.end();
    admin?.destroy();
    dynamodb?.destroy();
    if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
    if (dist !== undefined) rmSync(dist, { recursive: true, force: true });
  });

  const fnByHandler = (handler: string) => {
    const fn = functions.find((candidate) => candidate.handler === handler);
    if (fn === undefined) throw new Error(`no function ${handler} in the template`);
    return { fn, lambda: lambdas.get(fn.logicalId) as LocalLambda };
  };

  /** The function an HTTP API route integrates with, and the payload format the integration sends. */
  const routeTarget = (routeKey: string) => {
    const [, route] = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').find(
      ([, r]) => r.Properties?.RouteKey === routeKey,
    ) ?? [undefined, undefined];
    if (route === undefined) throw new Error(`no route ${routeKey}`);
    const target = route.Properties?.Target as { 'Fn::Join': [string, Array<string | { Ref: string }>] };
    const integrationId = (target['Fn::Join'][1][1] as { Ref: string }).Ref;
    const integration = template.Resources[integrationId]?.Properties ?? {};
    const fnId = (integration.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return {
      lambda: lambdas.get(fnId) as LocalLambda,
      payloadFormat: integration.PayloadFormatVersion,
      authorizationType: route.Properties?.AuthorizationType,
    };
  };

  const httpEvent = (
    routeKey: string,
    path: string,
    options: {
      body?: unknown;
      headers?: Record<string, string>;
      sub?: string;
      pathParameters?: Record<string, string>;
    },
  ) => {
    const [method] = routeKey.split(' ');
    const now = Date.now();
    return {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...options.headers },
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: 'local',
        domainName: 'local.execute-api.localhost',
        domainPrefix: 'local',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        requestId: `req-${now}-${Math.random()}`,
        routeKey,
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
        ...(options.sub === undefined ? {} : { authorizer: { jwt: { claims: { sub: options.sub }, scopes: null } } }),
      },
      ...(options.pathParameters === undefined ? {} : { pathParameters: options.pathParameters }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      isBase64Encoded: false,
    };
  };

  const call = async (routeKey: string, path: string, options: Parameters<typeof httpEvent>[2]) => {
    const route = routeTarget(routeKey);
    expect(route.payloadFormat).toBe('2.0');
    expect(route.authorizationType).toBe('JWT');
    const answer = await route.lambda.invoke(httpEvent(routeKey, path, options));
    if (!answer.ok) throw new Error(`${routeKey} failed: ${answer.error.name}: ${answer.error.message}`);
    const result = answer.result as { statusCode: number; headers: Record<string, string>; body: string };
    return { ...result, json: JSON.parse(result.body) as Record<string, unknown> };
  };

  const cartFor = (i: number) => ({
    customerId: `customer-${i}`,
    currency: 'EUR',
    lines:
      i % 2 === 0
        ? [{ sku: 'hot', quantity: 1 }]
        : [
            { sku: 'mug', quantity: 1 + (i % 3) },
            { sku: 'tee', quantity: 1 },
          ],
    ...(i % 4 === 1 ? { promoCode: 'TEN' } : {}),
    paymentToken: i === 3 ? 'tok_decline' : `tok_${i}`,
  });

  /** One poll of an event source mapping: up to `BatchSize` records, one invocation, failed records left in the queue. */
  const pollMapping = async (mapping: Record<string, unknown>, clients: Map<string, SQSClient>): Promise<number> => {
    const fnId = (mapping.FunctionName as { Ref: string }).Ref;
    const queueId = (mapping.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const queue = local.queues.get(queueId);
    if (queue === undefined) throw new Error(`mapping of ${fnId}: no local queue ${queueId}`);
    const batchSize = Number(mapping.BatchSize ?? 10);
    const reportFailures = ((mapping.FunctionResponseTypes as string[] | undefined) ?? []).includes(
      'ReportBatchItemFailures',
    );
    let client = clients.get(fnId);
    if (client === undefined) {
      // The mapping polls with the function's execution role.
      client = new SQSClient({
        region: LOCAL_REGION,
        endpoint: aws.endpoints.sqs,
        credentials: { accessKeyId: fnId, secretAccessKey: 'local' },
      });
      clients.set(fnId, client);
    }
    const messages: Message[] = [];
    while (messages.length < batchSize) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      messages.push(...Messages);
    }
    if (messages.length === 0) return 0;
    const event = {
      Records: messages.map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: m.Attributes ?? {},
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              dataType: value.DataType,
              ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
              ...(value.BinaryValue === undefined
                ? {}
                : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
              stringListValues: [],
              binaryListValues: [],
            },
          ]),
        ),
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: LOCAL_REGION,
      })),
    };
    const answer = await (lambdas.get(fnId) as LocalLambda).invoke(event);
    const all = new Set(messages.map((m) => m.MessageId as string));
    const failed =
      answer.ok && reportFailures
        ? new Set(
            ((answer.result as { batchItemFailures?: Array<{ itemIdentifier: string }> }).batchItemFailures ?? []).map(
              (f) => f.itemIdentifier,
            ),
          )
        : answer.ok
          ? new Set<string>()
          : all;
    const done = messages.filter((m) => !failed.has(m.MessageId as string));
    for (let i = 0; i < done.length; i += 10) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return messages.length;
  };

  const scheduled = (ruleId: string) => ({
    version: '0',
    id: `event-${Date.now()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${ruleId}`],
    detail: {},
  });

  it('gives every function of the template a real bundle, and every handler of the list a function', async () => {
    const { LAMBDA_HANDLERS } = await import('@checkout/example-checkout-service/lambda-handlers');
    expect(functions.map((fn) => fn.handler).sort()).toEqual([...LAMBDA_HANDLERS].sort());
    expect(lambdas.size).toBe(functions.length);
  });

  it('drives 20 orders (a duplicate submission and a poison message among them) to the demo invariants', async () => {
    // 20 checkouts through the HTTP API route, as payload 2.0 events with the JWT authorizer's claims.
    for (let i = 0; i < ORDERS; i += 1) {
      const answer = await call('POST /checkout', '/checkout', {
        body: cartFor(i),
        headers: { 'Idempotency-Key': `key-${i}` },
        sub: 'shop-1',
      });
      expect(answer.statusCode, JSON.stringify(answer.json)).toBe(201);
      submissions.push({ principal: 'shop-1', key: `key-${i}`, orderIds: [String(answer.json.orderId)] });
    }
    const duplicate = await call('POST /checkout', '/checkout', {
      body: cartFor(0),
      headers: { 'Idempotency-Key': 'key-0' },
      sub: 'shop-1',
    });
    expect(duplicate.statusCode).toBe(201);
    expect(duplicate.json.orderId).toBe(submissions[0]?.orderIds[0]);
    const first = submissions[0];
    if (first !== undefined)
      submissions[0] = { ...first, orderIds: [...first.orderIds, String(duplicate.json.orderId)] };
    expect(
      (await call('POST /checkout', '/checkout', { body: cartFor(1), headers: { 'Idempotency-Key': 'k' } })).statusCode,
    ).toBe(401);

    // A poison message in the payment queue, from a foreign producer.
    const paymentMapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
    const paymentQueueUrl = [...local.queues.values()].find(
      (q) => q.logicalId.startsWith('PaymentQueue') && !q.logicalId.includes('DeadLetter'),
    )?.url;
    expect(paymentQueueUrl).toBeDefined();
    await admin.send(new SendMessageCommand({ QueueUrl: paymentQueueUrl, MessageBody: `{${POISON_MARKER}` }));

    // The schedules and the mappings, as AWS would run them, until the flow drains.
    // Every scheduled rule's target function (the relay, the sweepers), fired once per round.
    const schedules = resourcesOfType(template, 'AWS::Events::Rule')
      .filter(([, rule]) => rule.Properties?.ScheduleExpression !== undefined)
      .flatMap(([ruleId, rule]) =>
        ((rule.Properties?.Targets as Array<{ Arn: { 'Fn::GetAtt': [string, string] } }>) ?? []).map((target) => ({
          ruleId,
          fnId: target.Arn['Fn::GetAtt'][0],
        })),
      );
    expect(schedules.map((s) => functions.find((fn) => fn.logicalId === s.fnId)?.handler)).toEqual(
      expect.arrayContaining(['outbox-relay', 'inventory-sweep']),
    );
    const relay = fnByHandler('outbox-relay');
    const clients = new Map<string, SQSClient>();
    const mainQueues = [...local.queues.values()].filter((q) => !q.logicalId.includes('DeadLetter'));
    const started = Date.now();
    for (;;) {
      for (const { ruleId, fnId } of schedules) {
        const run = await (lambdas.get(fnId) as LocalLambda).invoke(scheduled(ruleId));
        expect(run.ok, JSON.stringify(run)).toBe(true);
      }
      const received = await Promise.all(paymentMapping.map(([, m]) => pollMapping(m.Properties ?? {}, clients)));
      const states = await sql<{
        state: string;
        n: string;
      }>`SELECT state, count(*) AS n FROM ${sql.table(`${CHECKOUT_SCHEMA}.orders`)} GROUP BY state`.execute(db);
      const terminal = states.rows.every((r) => ['COMPLETED', 'PAYMENT_DECLINED', 'CANCELLED'].includes(r.state));
      const stats = await deps.outbox.stats(db as never);
      const depths = await Promise.all(
        mainQueues.map(async (q) => {
          const { Attributes = {} } = await admin.send(
            new GetQueueAttributesCommand({
              QueueUrl: q.url,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          return (
            Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
          );
        }),
      );
      if (terminal && stats.pending === 0 && received.every((n) => n === 0) && depths.every((d) => d === 0)) break;
      if (Date.now() - started > 90_000) {
        const logs = [...lambdas.values()].map((l) => `--- ${l.name}\n${l.output.join('').slice(-1500)}`).join('\n');
        throw new Error(`not drained after 90 s: ${JSON.stringify({ states: states.rows, stats, depths })}\n${logs}`);
      }
    }

    const dlqUrls = [...local.queues.values()].filter((q) => q.logicalId.includes('DeadLetter')).map((q) => q.url);
    const report = await checkInvariants({
      deps,
      initialStock: INITIAL_STOCK,
      submissions,
      ledger: payment.ledger(),
      emails: email.sent(),
      sqs: admin,
      deadLetterQueueUrls: dlqUrls,
      poisonMarkers: [POISON_MARKER],
    });
    const failed = Object.entries(report).filter(([, verdict]) => !verdict.ok);
    expect(failed, JSON.stringify(report, null, 2)).toEqual([]);

    // The read side: the order, and the daily report on the read-only endpoint.
    const order = await call('GET /orders/{orderId}', `/orders/${submissions[0]?.orderIds[0]}`, {
      sub: 'shop-1',
      pathParameters: { orderId: String(submissions[0]?.orderIds[0]) },
    });
    expect(order.statusCode).toBe(200);
    const daily = await call('GET /reports/daily', '/reports/daily', { sub: 'ops' });
    expect(daily.statusCode).toBe(200);
    const days = daily.json.days as Array<{ orders: number }>;
    expect(days.reduce((n, d) => n + d.orders, 0)).toBe(ORDERS);
    // The relay published its lag metric where its alarm looks (the template's namespace and service).
    expect(relay.lambda.output.join('')).toContain(`"Namespace":"${relay.fn.environment.OUTBOX_METRIC_NAMESPACE}"`);
  }, 150_000);

  it("makes only AWS calls its function's policy allows, and uses what the policies grant", () => {
    const policies = resourcesOfType(template, 'AWS::IAM::Policy');
    const statementsOf = (fn: TemplateFunction): Statement[] =>
      policies
        .filter(([, p]) => JSON.stringify(p.Properties?.Roles ?? []).includes(`"${fn.roleId}"`))
        .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? []);
    const arnOf = (call: RecordedAwsCall, resource: string): string => {
      if (call.service === 'sqs') return [...local.queues.values()].find((q) => q.url === resource)?.arn ?? resource;
      if (call.service === 'dynamodb') return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${resource}`;
      return resource;
    };
    const resolved = (statement: Statement): string[] =>
      [statement.Resource].flat().flatMap((resource) => {
        try {
          return [local.resolve(resource, 'policy')];
        } catch {
          return []; // resources with no local counterpart (log groups, the proxy user) match no local call
        }
      });
    const denied: string[] = [];
    const unused: string[] = [];
    const excused: string[] = [];
    for (const fn of functions) {
      const statements = statementsOf(fn).filter((s) => s.Effect === 'Allow');
      // Reads of the database user's secret exist only because the local run logs in with it (see the top).
      const calls = aws.calls.filter(
        (c) => c.principal === fn.logicalId && !c.resources.some((r) => localOnlySecrets.has(r)),
      );
      for (const call of calls) {
        const action = iamAction(call);
        for (const resource of call.resources.length === 0 ? ['*'] : call.resources) {
          const arn = arnOf(call, resource);
          const allowed = statements.some(
            (s) => [s.Action].flat().some((a) => glob(a).test(action)) && resolved(s).some((r) => glob(r).test(arn)),
          );
          if (!allowed) denied.push(`${fn.handler}: ${action} on ${arn}`);
        }
      }
      for (const granted of new Set(statements.flatMap((s) => [s.Action].flat()))) {
        const used = calls.some((c) => glob(granted).test(iamAction(c)));
        if (used) continue;
        const note = PRODUCTION_ONLY.find(([pattern]) => pattern.test(granted));
        if (note === undefined) unused.push(`${fn.handler}: ${granted}`);
        else excused.push(`${fn.handler}: ${granted} (${note[1]})`);
      }
    }
    expect(aws.calls.length).toBeGreaterThan(0);
    expect(denied, 'calls the template does not allow').toEqual([]);
    expect(unused, 'grants no function used and no note explains').toEqual([]);
    // The granted-but-unused list, for the reader of the run (each with its reason).
    console.info(`granted, not called locally:\n  ${excused.join('\n  ')}`);
  });
});
