import { idempotencyTableDefinition } from '@checkout/idempotency/dynamodb';
import { inventoryTableDefinition } from '@checkout/inventory';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CheckoutDashboard } from '../dashboard/checkout-dashboard.js';
import { CheckoutDatabase } from '../database/checkout-database.js';
import { CheckoutQueue } from '../queue/checkout-queue.js';
import { OutboxRelayFunction } from '../relay/outbox-relay-function.js';
import { IdempotencyTable } from '../table/idempotency-table.js';
import { InventoryTable } from '../table/inventory-table.js';
import { CheckoutWorker } from '../worker/checkout-worker.js';

/** Inline code: tests never bundle. */
export const inlineCode = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');

/** A stack for tests; CDK's built-in CloudFormation validation (seconds per synth) is off here. */
export function testStack(id = 'Test'): Stack {
  const app = new App({ builtinCloudFormationValidation: false });
  return new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
}

/**
 * One stack with every construct, synthesized once per test file: two workers (payment on a standard queue
 * with Postgres and the idempotency table; inventory on a FIFO queue with the inventory table), a relay
 * and a dashboard.
 */
export function buildCheckoutFixture() {
  const stack = testStack('Fixture');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const database = new CheckoutDatabase(stack, 'Database', { vpc });
  const idempotency = new IdempotencyTable(stack, 'Idempotency', { definition: idempotencyTableDefinition });
  const inventory = new InventoryTable(stack, 'Inventory', { definition: inventoryTableDefinition });
  const paymentQueue = new CheckoutQueue(stack, 'PaymentQueue', {
    consumerTimeout: Duration.seconds(20),
    oldestMessageAgeAlarmThreshold: Duration.minutes(1),
  });
  const inventoryQueue = new CheckoutQueue(stack, 'InventoryQueue', {
    fifo: true,
    consumerTimeout: Duration.seconds(30),
    oldestMessageAgeAlarmThreshold: Duration.minutes(10),
    maxReceiveCount: 3,
  });
  const paymentWorker = new CheckoutWorker(stack, 'PaymentWorker', {
    queue: paymentQueue,
    code: inlineCode,
    timeout: Duration.seconds(20),
    reservedConcurrency: 5,
    maxConcurrency: 4,
    batchSize: 5,
    readWriteTables: [idempotency],
    database: { database, user: 'checkout_app' },
  });
  const inventoryWorker = new CheckoutWorker(stack, 'InventoryWorker', {
    queue: inventoryQueue,
    code: inlineCode,
    timeout: Duration.seconds(30),
    reservedConcurrency: 3,
    readWriteTables: [inventory],
    readTables: [idempotency],
  });
  const relay = new OutboxRelayFunction(stack, 'Relay', {
    code: inlineCode,
    database,
    databaseUser: 'checkout_app',
    destinations: { payment: paymentQueue, inventory: inventoryQueue },
  });
  const dashboard = new CheckoutDashboard(stack, 'Dashboard', {
    queues: [paymentQueue, inventoryQueue],
    workers: [paymentWorker, inventoryWorker],
    relay,
  });
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    database,
    idempotency,
    inventory,
    paymentQueue,
    inventoryQueue,
    paymentWorker,
    inventoryWorker,
    relay,
    dashboard,
  };
}

/** Logical id of a construct's CloudFormation resource inside `stack`. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (child === undefined) throw new Error('construct has no default child');
  return stack.getLogicalId(child as CfnElement);
}

/** Environment variables of a function resource in a synthesized template (empty when it has none). */
export function environmentOf(
  resources: Record<string, { Properties?: Record<string, unknown> }>,
  functionLogicalId: string,
): Record<string, unknown> {
  const environment = resources[functionLogicalId]?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}
