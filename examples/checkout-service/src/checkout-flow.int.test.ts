import type { Message } from '@aws-sdk/client-sqs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createOutboxRelay, createSqsPublisher } from '@checkout/outbox';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { getQueueSnapshot, listDeadLetters } from '@checkout/workers';
import type { SqsBatchHandler, SqsEvent } from '@checkout/workers/lambda';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartSnapshotId } from './api/cart-snapshot-id.js';
import { checkout } from './api/checkout.js';
import { getOrder } from './api/get-order.js';
import { TABLES } from './db/migrations.js';
import { type CheckoutSubmission, checkInvariants } from './invariants/check-invariants.js';
import { createApiHandler } from './lambda/api-handler.js';
import { createStageHandler } from './lambda/stage-handler.js';
import { type CheckoutEnvironment, createCheckoutEnvironment } from './local/checkout-environment.js';
import { DECLINED_TOKEN } from './simulators/payment-provider.js';
import { isQueueName, QUEUE_NAMES, type QueueName } from './topology.js';

const INITIAL_STOCK = { mug: 1_000, tee: 1_000, hot: 3 } as const;
const TERMINAL = new Set(['COMPLETED', 'PAYMENT_DECLINED', 'CANCELLED']);

let env: CheckoutEnvironment;
/** One Lambda per stage, as the CDK app deploys them. */
let stages: Record<QueueName, SqsBatchHandler>;
/** Errors the stage Lambdas survived (stage:error name), instead of console noise. */
const workerErrors: string[] = [];

beforeAll(async () => {
  // For half of the provider request ids the first four responses are lost after the charge: both
  // deliveries of a batch (see drive) and their inline retries meet a lost answer, so the command goes
  // back to the queue.
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 9,
    faults: { lostResponseRate: 0.5, lostResponsesPerRequest: 4 },
    initialStock: INITIAL_STOCK,
  });
  const observer = {
    error: (event: { stage: string; error: unknown }) =>
      workerErrors.push(`${event.stage}:${event.error instanceof Error ? event.error.name : 'unknown'}`),
  };
  stages = Object.fromEntries(
    QUEUE_NAMES.map((queue) => [
      queue,
      createStageHandler(env.deps, queue, { client: env.sqs, queueUrl: env.queues[queue].queueUrl, observer }),
    ]),
  ) as Record<QueueName, SqsBatchHandler>;
});

afterAll(async () => {
  await env?.close();
});

function cartFor(i: number) {
  const hot = i % 2 === 0;
  return {
    customerId: `customer-${i}`,
    currency: 'EUR',
    lines: hot
      ? [{ sku: 'hot', quantity: 1 }]
      : [
          { sku: 'mug', quantity: 1 + (i % 3) },
          { sku: 'tee', quantity: 1 },
        ],
    ...(i % 4 === 1 ? { promoCode: 'TEN' } : {}),
    paymentToken: i === 3 ? DECLINED_TOKEN : `tok_${i}`,
  };
}

/** What Lambda's SQS event source mapping hands the function. */
function toEvent(queue: QueueName, messages: readonly Message[]): SqsEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        ...(m.Attributes?.MessageGroupId === undefined ? {} : { MessageGroupId: m.Attributes.MessageGroupId }),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
          },
        ]),
      ),
      eventSourceARN: env.queues[queue].queueArn,
    })),
  };
}

async function queueDepth(queueUrl: string): Promise<number> {
  const snapshot = await getQueueSnapshot(env.sqs, queueUrl);
  return snapshot.visible + snapshot.inFlight + snapshot.delayed;
}

/**
 * Relay -> one SQS queue per stage -> that stage's Lambda, like the event source mappings (delete what
 * the function did not report failed), except that every batch is delivered TWICE at once: a
 * duplicate delivery of every command. Runs until the outbox and every queue are empty.
 */
async function drive(timeoutMs: number): Promise<{ batches: number; failures: number }> {
  const { db, deps, sqs } = env;
  const relay = createOutboxRelay({
    db,
    outbox: deps.outbox,
    publisher: createSqsPublisher({ client: sqs, queues: env.processConfig.queueUrls }),
    backoff: { baseMs: 100, maxMs: 1_000 },
  });
  const deadline = Date.now() + timeoutMs;
  let batches = 0;
  let failures = 0;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the checkout flow did not drain in time');
    await relay.runUntilIdle();
    let received = 0;
    for (const queue of QUEUE_NAMES) {
      const { queueUrl } = env.queues[queue];
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) continue;
      received += Messages.length;
      batches += 1;
      const event = toEvent(queue, Messages);
      const handler = stages[queue];
      const [first, second] = await Promise.all([handler(event), handler(event)]);
      const failed = new Set([...first.batchItemFailures, ...second.batchItemFailures].map((f) => f.itemIdentifier));
      failures += failed.size;
      const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    }
    if (received > 0) continue;
    const stats = await deps.outbox.stats(db);
    const depths = await Promise.all(QUEUE_NAMES.map((queue) => queueDepth(env.queues[queue].queueUrl)));
    if (stats.pending === 0 && depths.every((depth) => depth === 0)) return { batches, failures };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('checkout-service end to end', () => {
  const ORDERS = 12;
  const keys = Array.from({ length: ORDERS }, (_, i) => `key-${i}`);
  const orderIdByKey = new Map<string, string>();
  const submissions: CheckoutSubmission[] = [];
  const poisonMarkers = ['poison-not-json', 'poison-unknown-type'];

  it('POST /checkout: one order per key under concurrent duplicate submissions; bad input writes nothing', async () => {
    const responses = await Promise.all(
      keys.flatMap((key, i) =>
        Array.from({ length: 2 + (i % 3) }, () =>
          checkout(env.deps, { idempotencyKey: key, principal: 'shop-1', body: cartFor(i) }).then((r) => ({ key, r })),
        ),
      ),
    );
    for (const key of keys) {
      const mine = responses.filter((x) => x.key === key).map((x) => x.r);
      expect(mine.every((r) => r.status === 201)).toBe(true);
      const ids = new Set(mine.map((r) => (r.body as { orderId: string }).orderId));
      expect(ids.size).toBe(1);
      expect(mine.filter((r) => r.headers['Idempotent-Replayed'] === 'true')).toHaveLength(mine.length - 1);
      orderIdByKey.set(key, [...ids][0] ?? '');
      submissions.push({
        principal: 'shop-1',
        key,
        orderIds: mine.map((r) => (r.body as { orderId: string }).orderId),
      });
    }
    const { deps, db } = env;
    const countOrders = async () =>
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(`${deps.schema}.orders`)}`.execute(db)).rows[0]
          ?.n,
      );
    expect(await countOrders()).toBe(ORDERS);

    // A later retry replays the same body; the same key with another cart is 422; a bad cart is 400.
    const replay = await checkout(env.deps, { idempotencyKey: 'key-0', principal: 'shop-1', body: cartFor(0) });
    expect(replay).toMatchObject({ status: 201, headers: { 'Idempotent-Replayed': 'true' } });
    expect((replay.body as { orderId: string }).orderId).toBe(orderIdByKey.get('key-0'));
    expect((await checkout(env.deps, { idempotencyKey: 'key-0', principal: 'shop-1', body: cartFor(1) })).status).toBe(
      422,
    );
    const bad = await checkout(env.deps, {
      idempotencyKey: 'key-bad',
      principal: 'shop-1',
      body: { ...cartFor(1), lines: [{ sku: 'mug', quantity: 0 }] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('lines.0.quantity');
    // The cart snapshot is saved per (principal, customer, attempt), for the accepted cart only.
    const snapshot = (principal: string, customerId: string, key: string) => {
      const id = cartSnapshotId(principal, customerId, key);
      return deps.carts.getCartSnapshot(id.customerId, id.attemptId);
    };
    expect((await snapshot('shop-1', 'customer-2', 'key-2'))?.cart).toEqual(cartFor(2));
    expect((await snapshot('shop-1', 'customer-0', 'key-0'))?.cart).toEqual(cartFor(0));
    expect(await snapshot('shop-1', 'customer-1', 'key-bad')).toBeUndefined();
    expect(await snapshot('shop-1', 'customer-1', 'key-0')).toBeUndefined();
    expect(
      (await checkout(env.deps, { idempotencyKey: undefined, principal: 'shop-1', body: cartFor(1) })).status,
    ).toBe(400);
    expect(
      (
        await checkout(env.deps, {
          idempotencyKey: 'key-sku',
          principal: 'shop-1',
          body: { ...cartFor(1), lines: [{ sku: 'nope', quantity: 1 }] },
        })
      ).status,
    ).toBe(422);
    // The same key under another principal is another checkout (scoped keys).
    const other = await checkout(env.deps, { idempotencyKey: 'key-0', principal: 'shop-2', body: cartFor(0) });
    expect(other.status).toBe(201);
    orderIdByKey.set('shop-2:key-0', (other.body as { orderId: string }).orderId);
    submissions.push({ principal: 'shop-2', key: 'key-0', orderIds: [(other.body as { orderId: string }).orderId] });
    expect(await countOrders()).toBe(ORDERS + 1);
  });

  it('drives every order to a terminal state through outbox -> SQS -> Lambda, with duplicate deliveries, and the invariants hold', async () => {
    const { deps, db, sqs, payment, email } = env;
    // Poison among the commands: must be parked in its own stage's DLQ with a reason, never block or loop.
    await sqs.send(
      new SendMessageCommand({ QueueUrl: env.queues.payment.queueUrl, MessageBody: `{${poisonMarkers[0]}` }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queues.analytics.queueUrl,
        MessageBody: JSON.stringify({ type: 'RefundEverything', marker: poisonMarkers[1] }),
      }),
    );
    const { failures } = await drive(120_000);
    const dlqUrls = QUEUE_NAMES.map((queue) => env.queues[queue].dlq.queueUrl);
    const invariants = await checkInvariants({
      deps,
      initialStock: INITIAL_STOCK,
      submissions,
      ledger: payment.ledger(),
      emails: email.sent(),
      sqs,
      deadLetterQueueUrls: dlqUrls,
      poisonMarkers,
    });
    expect(Object.entries(invariants).filter(([, v]) => !v.ok)).toEqual([]);
    const deadIn = async (queue: QueueName) =>
      listDeadLetters({ client: sqs, queueUrl: env.queues[queue].dlq.queueUrl, maxMessages: 100 });
    const [deadPayment, deadAnalytics] = [await deadIn('payment'), await deadIn('analytics')];
    // Each batch is delivered twice at once, so a poison message may be parked by both deliveries.
    expect(new Set(deadPayment.map((m) => m.body))).toEqual(new Set([`{${poisonMarkers[0]}`]));
    expect(new Set(deadAnalytics.map((m) => m.body))).toEqual(
      new Set([JSON.stringify({ type: 'RefundEverything', marker: poisonMarkers[1] })]),
    );
    for (const queue of ['inventory', 'fulfillment', 'notification'] as const) expect(await deadIn(queue)).toEqual([]);
    expect([...deadPayment, ...deadAnalytics].every((m) => m.reason.startsWith('poison:'))).toBe(true);
    const allOrders = [...orderIdByKey.values()];
    const states = new Map<string, string>();
    for (const id of allOrders) states.set(id, (await deps.orders.get(deps.db, id)).state);
    expect([...states.values()].every((s) => TERMINAL.has(s))).toBe(true);
    // Some provider responses were lost after the charge, which the worker retried inline and then
    // through the queue (same request id each time).
    expect(payment.lostResponses().length).toBeGreaterThan(0);
    expect(failures).toBeGreaterThan(0);
    // Only the expected transient outcomes: provider unknown outcome, a receipt a duplicate was still sending.
    const allowed = new Set(['handler:TransientError', 'handler:IdempotencyInProgressError']);
    expect(workerErrors.filter((e) => !allowed.has(e))).toEqual([]);
    expect(workerErrors).toContain('handler:TransientError');

    const declinedId = orderIdByKey.get('key-3') ?? '';
    expect(states.get(declinedId)).toBe('PAYMENT_DECLINED');
    expect((await getOrder(deps, { principal: 'shop-1', orderId: declinedId })).body).toMatchObject({
      state: 'PAYMENT_DECLINED',
      payment: { status: 'declined', declineReason: 'card_declined' },
    });
    const hotIds = keys.filter((_, i) => i % 2 === 0).map((k) => orderIdByKey.get(k) ?? '');
    hotIds.push(orderIdByKey.get('shop-2:key-0') ?? '');
    const hotCompleted = hotIds.filter((id) => states.get(id) === 'COMPLETED');
    expect(hotCompleted).toHaveLength(INITIAL_STOCK.hot);
    expect(hotIds.filter((id) => states.get(id) === 'CANCELLED')).toHaveLength(hotIds.length - INITIAL_STOCK.hot);

    // At most one charge per order at the provider; money follows the outcome.
    const ledger = payment.ledger();
    for (const id of allOrders) {
      const entries = ledger.filter((e) => e.orderId === id);
      expect(entries).toHaveLength(1);
      const expected = { COMPLETED: 'authorized', PAYMENT_DECLINED: 'declined', CANCELLED: 'voided' }[
        states.get(id) ?? ''
      ];
      expect(entries[0]?.status).toBe(expected);
    }

    // No oversell, stock conserved: committed units are exactly the completed orders' units.
    const committed = new Map<string, number>();
    const rows = await db.withSchema(deps.schema).selectFrom('orders').select(['id', 'lines']).execute();
    for (const row of rows) {
      if (states.get(row.id) !== 'COMPLETED') continue;
      for (const line of row.lines) committed.set(line.sku, (committed.get(line.sku) ?? 0) + line.quantity);
    }
    for (const level of (await deps.inventory.getAvailability(Object.keys(INITIAL_STOCK))).values()) {
      expect(level.available).toBeGreaterThanOrEqual(0);
      expect(level.reserved).toBe(0);
      expect(level.committed).toBe(committed.get(level.sku) ?? 0);
      expect(level.available + level.reserved + level.committed).toBe(
        INITIAL_STOCK[level.sku as keyof typeof INITIAL_STOCK],
      );
    }

    // At most one receipt per order and template; the buyer hears about completion or cancellation.
    const sent = email.sent();
    for (const id of allOrders) {
      const mine = sent.filter((e) => e.orderId === id).map((e) => e.template);
      const expected = { COMPLETED: ['order-confirmation'], CANCELLED: ['order-cancelled'], PAYMENT_DECLINED: [] }[
        states.get(id) ?? ''
      ];
      expect(mine).toEqual(expected);
    }

    // One audit event per version; outbox drained; projection fed for every order; DLQ empty.
    for (const id of allOrders) {
      const snapshot = await deps.orders.get(deps.db, id);
      const history = await deps.orders.history(deps.db, id);
      expect(history.map((h) => h.version)).toEqual(Array.from({ length: snapshot.version }, (_, i) => i + 1));
    }
    expect(await deps.outbox.stats(db)).toMatchObject({ pending: 0, dead: 0 });
    const report = await db.withSchema(deps.schema).selectFrom('order_report').selectAll().execute();
    expect(new Map(report.map((r) => [r.order_id, r.outcome]))).toEqual(states);

    // GET /orders/:id through the API Lambda: state, payment and the timeline of a compensated order.
    const api = createApiHandler(deps);
    const cancelledId = hotIds.find((id) => states.get(id) === 'CANCELLED') ?? '';
    const owner = cancelledId === orderIdByKey.get('shop-2:key-0') ? 'shop-2' : 'shop-1';
    const response = await api({
      httpMethod: 'GET',
      path: `/orders/${cancelledId}`,
      headers: {},
      body: null,
      requestContext: { authorizer: { principalId: owner } },
    });
    expect(response.statusCode).toBe(200);
    const order = JSON.parse(response.body) as {
      state: string;
      payment: { status: string };
      timeline: Array<{ to: string }>;
    };
    expect(order.state).toBe('CANCELLED');
    expect(order.payment.status).toBe('voided');
    expect(order.timeline.map((t) => t.to)).toEqual([
      'PENDING_PAYMENT',
      'PAYMENT_AUTHORIZED',
      'INVENTORY_SHORT',
      'PAYMENT_VOIDED',
      'CANCELLED',
    ]);
    const missing = { httpMethod: 'GET', path: '/orders/nope', headers: {}, body: null };
    expect((await api({ ...missing, requestContext: { authorizer: { principalId: owner } } })).statusCode).toBe(404);
    // Another principal's order answers the same 404; no principal at all is 401.
    const stranger = { authorizer: { principalId: owner === 'shop-1' ? 'shop-2' : 'shop-1' } };
    expect((await api({ ...missing, path: `/orders/${cancelledId}`, requestContext: stranger })).statusCode).toBe(404);
    expect((await api({ ...missing, path: `/orders/${cancelledId}` })).statusCode).toBe(401);
  });

  it('late duplicates of every command ever sent, each to its stage Lambda, change nothing', async () => {
    const { deps, db, payment, email } = env;
    const before = {
      versions: await Promise.all(
        [...orderIdByKey.values()].map(async (id) => (await deps.orders.get(deps.db, id)).version),
      ),
      ledger: payment.ledger(),
      emails: email.sent().length,
      stock: await deps.inventory.getAvailability(Object.keys(INITIAL_STOCK)),
    };
    const { rows } = await sql<{
      destination: string;
      body: unknown;
    }>`SELECT destination, body FROM ${sql.table(`${deps.schema}.${TABLES.outbox}`)} ORDER BY id`.execute(db);
    expect(rows.length).toBeGreaterThan(ORDERS * 3);
    for (const queue of QUEUE_NAMES) {
      const mine = rows.filter((row) => row.destination === queue);
      expect(mine.length, queue).toBeGreaterThan(0);
      for (let i = 0; i < mine.length; i += 10) {
        const event: SqsEvent = {
          Records: mine.slice(i, i + 10).map((row, j) => ({
            messageId: `late-${queue}-${i + j}`,
            receiptHandle: `late-${queue}-${i + j}`,
            body: JSON.stringify(row.body),
            attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
            messageAttributes: {},
            eventSourceARN: env.queues[queue].queueArn,
          })),
        };
        expect((await stages[queue](event)).batchItemFailures).toEqual([]);
      }
    }
    // Every row went to a stage queue.
    expect(rows.filter((row) => !isQueueName(row.destination))).toEqual([]);
    expect(
      await Promise.all([...orderIdByKey.values()].map(async (id) => (await deps.orders.get(deps.db, id)).version)),
    ).toEqual(before.versions);
    expect(payment.ledger()).toEqual(before.ledger);
    expect(email.sent()).toHaveLength(before.emails);
    expect(await deps.inventory.getAvailability(Object.keys(INITIAL_STOCK))).toEqual(before.stock);
    expect(await deps.outbox.stats(db)).toMatchObject({ pending: 0 });
  });

  it('POST /checkout through the API Lambda: 201 then a replay, 400 on a body that is not JSON', async () => {
    const api = createApiHandler(env.deps);
    const event = {
      httpMethod: 'POST',
      path: '/checkout',
      headers: { 'idempotency-key': 'lambda-1' },
      body: JSON.stringify(cartFor(5)),
      requestContext: { authorizer: { principalId: 'shop-1' } },
    };
    const first = await api(event);
    expect(first.statusCode).toBe(201);
    const again = await api(event);
    expect(again).toMatchObject({ statusCode: 201, body: first.body, headers: { 'Idempotent-Replayed': 'true' } });
    expect((await api({ ...event, body: '{nope' })).statusCode).toBe(400);
  });
});
