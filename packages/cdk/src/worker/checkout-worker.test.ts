import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { referencedLogicalIds, WILDCARD_RESOURCE_ACTIONS } from '../assertions/safety-rails.js';
import { CheckoutCdkConfigError, ConcurrencyMisconfiguredError, VisibilityTimeoutTooShortError } from '../errors.js';
import { CheckoutQueue } from '../queue/checkout-queue.js';
import {
  buildCheckoutFixture,
  environmentOf,
  inlineCode,
  logicalId,
  testStack,
} from '../test-support/checkout-fixture.js';
import { CheckoutWorker } from './checkout-worker.js';

const fx = buildCheckoutFixture();
const resources = fx.template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(fx.stack, construct);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
/** Every statement of every identity policy attached to `roleId`. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('CheckoutWorker', () => {
  it('maps its queue with ReportBatchItemFailures, MaximumConcurrency and the batch settings', () => {
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    const payment = mappings.find(
      (m) =>
        JSON.stringify(m.Properties.EventSourceArn) ===
        JSON.stringify({ 'Fn::GetAtt': [id(fx.paymentQueue.queue), 'Arn'] }),
    );
    expect(payment?.Properties).toMatchObject({
      FunctionName: { Ref: id(fx.paymentWorker.handler.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
      BatchSize: 5,
    });
    const inventory = mappings.find((m) => m !== payment);
    // Defaults: maxConcurrency = reservedConcurrency.
    expect(inventory?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 3 },
      BatchSize: 10,
    });
  });

  it('gives every worker reserved concurrency, a queue visibility >= 6x its timeout, and its own log group', () => {
    for (const [worker, queue, reserved, timeout] of [
      [fx.paymentWorker, fx.paymentQueue, 5, 20],
      [fx.inventoryWorker, fx.inventoryQueue, 3, 30],
    ] as const) {
      const fn = resources[id(worker.handler.function)]?.Properties;
      expect(fn).toMatchObject({
        ReservedConcurrentExecutions: reserved,
        Timeout: timeout,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogGroup: { Ref: id(worker.handler.logGroup) } },
      });
      expect(resources[id(queue.queue)]?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    }
  });

  it('passes queue, DLQ, table and database coordinates to the handler', () => {
    const env = environmentOf(resources, id(fx.paymentWorker.handler.function));
    expect(env).toMatchObject({
      CHECKOUT_QUEUE_URL: { Ref: id(fx.paymentQueue.queue) },
      CHECKOUT_DLQ_URL: { Ref: id(fx.paymentQueue.deadLetterQueue) },
      CHECKOUT_TABLE_IDEMPOTENCY: { Ref: id(fx.idempotency.table) },
      CHECKOUT_DB_USER: 'checkout_app',
      CHECKOUT_DB_NAME: 'checkout',
    });
  });

  describe('least-privilege IAM', () => {
    const cases = [
      {
        name: 'payment worker',
        worker: fx.paymentWorker,
        own: { queue: fx.paymentQueue, tables: [fx.idempotency], proxy: true },
      },
      {
        name: 'inventory worker',
        worker: fx.inventoryWorker,
        own: { queue: fx.inventoryQueue, tables: [fx.inventory, fx.idempotency], proxy: false },
      },
    ];

    it.each(cases)('$name: roles start empty (no managed policy, no inline policy on the role)', ({ worker }) => {
      const role = resources[id(worker.handler.role)]?.Properties;
      expect(role?.ManagedPolicyArns).toBeUndefined();
      expect(role?.Policies).toBeUndefined();
    });

    it.each(cases)('$name touches only its own queue, DLQ, tables, log group and proxy user', ({ worker, own }) => {
      const statements = statementsOf(id(worker.handler.role));
      expect(statements.length).toBeGreaterThan(0);
      const allowed = new Set([
        id(own.queue.queue),
        id(own.queue.deadLetterQueue),
        id(worker.handler.logGroup),
        ...own.tables.map((t) => id(t.table)),
        ...(own.proxy ? [id(fx.database.proxy)] : []),
      ]);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
        for (const resource of resourcesOf(statement)) {
          if (resource === '*') {
            // Only the ENI actions Lambda needs in a VPC, which have no resource-level permissions.
            for (const action of actionsOf(statement)) expect(WILDCARD_RESOURCE_ACTIONS.has(action)).toBe(true);
            continue;
          }
          const refs = [...referencedLogicalIds(resource)];
          expect(refs.length).toBeGreaterThan(0);
          for (const ref of refs) expect(allowed, `${ref} in ${JSON.stringify(statement)}`).toContain(ref);
        }
      }
      // Consume only on its own queue; on its DLQ only send (poison routing), never receive or delete.
      const onResource = (logical: string) =>
        statements
          .filter((s) => resourcesOf(s).some((r) => referencedLogicalIds(r).has(logical)))
          .flatMap(actionsOf)
          .sort();
      expect(onResource(id(own.queue.queue))).toEqual(
        [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ].sort(),
      );
      expect(onResource(id(own.queue.deadLetterQueue))).toEqual([
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]);
      expect(onResource(id(worker.handler.logGroup))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      if (own.proxy) {
        const connect = statements.find((s) => actionsOf(s).includes('rds-db:connect'));
        expect(JSON.stringify(connect?.Resource)).toContain('/checkout_app');
      } else {
        expect(statements.flatMap(actionsOf)).not.toContain('rds-db:connect');
        expect(statements.flatMap(actionsOf).some((a) => a.startsWith('ec2:'))).toBe(false);
      }
    });

    it('read-only tables get no write action', () => {
      const statements = statementsOf(id(fx.inventoryWorker.handler.role));
      const onIdempotency = statements
        .filter((s) => resourcesOf(s).some((r) => referencedLogicalIds(r).has(id(fx.idempotency.table))))
        .flatMap(actionsOf);
      expect(onIdempotency).toContain('dynamodb:GetItem');
      expect(onIdempotency.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    });
  });

  describe('rejects unsafe configurations at synthesis, before creating anything', () => {
    const queueFor = (consumerSeconds: number, fifo = false) => {
      const stack = testStack();
      return {
        stack,
        queue: new CheckoutQueue(stack, 'Queue', { consumerTimeout: Duration.seconds(consumerSeconds), fifo }),
      };
    };

    it('a function timeout above 1/6 of the queue visibility timeout', () => {
      const { stack, queue } = queueFor(10); // visibility 60 s
      const build = () => new CheckoutWorker(stack, 'Slow', { queue, code: inlineCode, timeout: Duration.seconds(11) });
      expect(build).toThrow(VisibilityTimeoutTooShortError);
      expect(stack.node.tryFindChild('Slow')?.node.children).toEqual([]);
      try {
        new CheckoutWorker(testStack(), 'Slow', {
          queue: queueFor(10).queue,
          code: inlineCode,
          timeout: Duration.seconds(11),
        });
      } catch (error) {
        expect(error).toMatchObject({
          code: 'CDK_VISIBILITY_TIMEOUT_TOO_SHORT',
          field: 'timeout',
          httpStatus: 500,
          visibilityTimeoutSeconds: 60,
          functionTimeoutSeconds: 11,
          message: expect.stringContaining('needs >= 66s'),
        });
      }
    });

    it('maxConcurrency above reserved concurrency (throttles would push messages to the DLQ)', () => {
      const { stack, queue } = queueFor(30);
      expect(
        () => new CheckoutWorker(stack, 'W', { queue, code: inlineCode, reservedConcurrency: 4, maxConcurrency: 8 }),
      ).toThrow(ConcurrencyMisconfiguredError);
      expect(
        () => new CheckoutWorker(stack, 'W2', { queue, code: inlineCode, reservedConcurrency: 4, maxConcurrency: 8 }),
      ).toThrow(expect.objectContaining({ code: 'CDK_CONCURRENCY_MISCONFIGURED', field: 'maxConcurrency' }));
    });

    it.each([
      ['maxConcurrency', { maxConcurrency: 1 }, false],
      ['reservedConcurrency', { reservedConcurrency: 0 }, false],
      ['reservedConcurrency', { reservedConcurrency: 1 }, false], // the event source starts 2 at least
      ['batchSize', { batchSize: 11 }, false],
      ['batchSize', { batchSize: 0 }, false],
      ['maxBatchingWindow', { maxBatchingWindow: Duration.seconds(5) }, true],
      ['timeout', { timeout: Duration.minutes(16) }, false],
    ] as const)('a bad %s', (field, props, fifo) => {
      const { stack, queue } = queueFor(900, fifo);
      try {
        new CheckoutWorker(stack, 'W', { queue, code: inlineCode, ...props });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(CheckoutCdkConfigError);
        expect(error).toMatchObject({ field });
      }
    });

    it('a database user the database does not know', () => {
      const build = () =>
        new CheckoutWorker(fx.stack, 'UnknownUser', {
          queue: fx.paymentQueue,
          code: inlineCode,
          timeout: Duration.seconds(20),
          database: { database: fx.database, user: 'postgres' },
        });
      expect(build).toThrow(expect.objectContaining({ code: 'CDK_INVALID_CONFIG', field: 'user' }));
      expect(fx.stack.node.tryFindChild('UnknownUser')?.node.children).toEqual([]);
    });

    it('accepts a batch above 10 on a standard queue with a batching window', () => {
      const { stack, queue } = queueFor(30);
      const worker = new CheckoutWorker(stack, 'W', {
        queue,
        code: inlineCode,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(2),
      });
      expect(worker.maxConcurrency).toBe(10);
    });
  });
});
