// One order through a checkout request, the outbox relay, a consumer and a Lambda handler, traced
// with an in-memory exporter: the span tree, links, kinds, names and attributes.
import { createOutboxRelay, createSqsPublisher } from '@checkout/outbox';
import { createTestQueue } from '@checkout/testing';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqsConsumer } from '../consumer/sqs-consumer.js';
import { decode } from '../envelope/codec.js';
import { defineCommand } from '../envelope/define-command.js';
import { createSqsBatchHandler } from '../lambda/sqs-batch-handler.js';
import { enqueueCommand } from '../outbox/enqueue-command.js';
import { handleCommand } from '../processing/command-route.js';
import { createOutboxStack, type OutboxStack } from '../test-support/outbox-stack.js';
import { invokeFromQueue, waitUntil } from '../test-support/sqs-helpers.js';
import { type InMemoryTracing, registerInMemoryTracing } from '../test-support/tracing.js';

let s: OutboxStack;
let tracing: InMemoryTracing;
beforeAll(async () => {
  s = await createOutboxStack();
  tracing = registerInMemoryTracing();
});
afterAll(async () => {
  await tracing.close();
  await s?.close();
});

const authorize = defineCommand({
  type: 'AuthorizePayment',
  version: 1,
  payload: z.object({ amountMinor: z.int() }),
  destination: 'trace-payments',
});
const receipt = defineCommand({
  type: 'SendReceipt',
  version: 1,
  payload: z.object({ email: z.string() }),
  destination: 'trace-emails',
});

const byName = (name: string) => tracing.spans().filter((span) => span.name === name);
const only = (name: string): ReadableSpan => {
  const spans = byName(name);
  expect(spans, name).toHaveLength(1);
  return spans[0] as ReadableSpan;
};

describe('one order, one trace', () => {
  it('checkout request -> publish -> consumer process -> publish -> Lambda process', async () => {
    const payments = await createTestQueue(s.stack.sqs);
    const emails = await createTestQueue(s.stack.sqs);
    const orderId = `ord-${crypto.randomUUID()}`;
    const tracer = trace.getTracer('checkout-test');
    const relay = createOutboxRelay({
      db: s.root,
      outbox: s.outbox,
      publisher: createSqsPublisher({
        client: s.sqs,
        queues: { 'trace-payments': payments.queueUrl, 'trace-emails': emails.queueUrl },
      }),
    });
    const relayRound = () => {
      const poll = tracer.startSpan('relay poll');
      return context.with(trace.setSpan(context.active(), poll), () => relay.runUntilIdle()).finally(() => poll.end());
    };

    // 1. The checkout request enqueues AuthorizePayment.
    const request = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER });
    const first = await context.with(trace.setSpan(context.active(), request), () =>
      s.db.transaction().execute(async (trx) => {
        await trx.insertInto('orders').values({ note: orderId }).execute();
        return enqueueCommand(s.outbox, trx, authorize, { amountMinor: 100 }, { orderId });
      }),
    );
    request.end();
    expect(first.traceparent).toBe(`00-${request.spanContext().traceId}-${request.spanContext().spanId}-01`);
    await waitUntil(async () => (await relayRound()).published >= 1, 'payments published');

    // 2. A consumer handles it (parent = the producer) and enqueues SendReceipt from the handler.
    let receiptEnvelope: Awaited<ReturnType<typeof enqueueCommand>> | undefined;
    const consumer = createSqsConsumer({
      client: s.sqs,
      queueUrl: payments.queueUrl,
      waitTimeSeconds: 1,
      metrics: false,
      tracing: { useProducerAsParent: true },
      commands: [
        handleCommand(authorize, async (envelope) => {
          receiptEnvelope = await s.db
            .transaction()
            .execute((trx) =>
              enqueueCommand(s.outbox, trx, receipt, { email: 'a@b.c' }, { orderId: envelope.orderId }),
            );
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => receiptEnvelope !== undefined, 'AuthorizePayment handled');
    await consumer.stop();
    await waitUntil(async () => (await relayRound()).published >= 1, 'emails published');

    // 3. A Lambda handler (default: linked, parented by the invocation) handles SendReceipt.
    let receipts = 0;
    const lambda = createSqsBatchHandler({
      client: s.sqs,
      metrics: false,
      commands: [
        handleCommand(receipt, async () => {
          receipts += 1;
        }),
      ],
    });
    const invocation = tracer.startSpan('lambda invocation', { kind: SpanKind.SERVER });
    await context.with(trace.setSpan(context.active(), invocation), () =>
      waitUntil(async () => (await invokeFromQueue(s.sqs, emails, lambda)).records.length > 0, 'SendReceipt handled'),
    );
    invocation.end();
    expect(receipts).toBe(1);

    const traceId = request.spanContext().traceId;
    const publishPayments = only('trace-payments publish');
    const processPayments = only(`${payments.name} process`);
    const publishEmails = only('trace-emails publish');
    const processEmails = only(`${emails.name} process`);

    expect(publishPayments.kind).toBe(SpanKind.PRODUCER);
    expect(publishPayments.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(publishPayments.links[0]?.context.spanId).toBe(request.spanContext().spanId);

    expect(processPayments.kind).toBe(SpanKind.CONSUMER);
    expect(processPayments.parentSpanContext?.spanId).toBe(publishPayments.spanContext().spanId);
    expect(processPayments.links[0]?.context.spanId).toBe(publishPayments.spanContext().spanId);
    expect(processPayments.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.destination.name': payments.name,
      'checkout.order_id': orderId,
      'checkout.command.type': 'AuthorizePayment',
      'checkout.command.message_id': first.messageId,
      'checkout.outcome': 'processed',
    });
    expect(typeof processPayments.attributes['messaging.message.id']).toBe('string');

    // The command enqueued inside the handler carries the process span's context.
    const pp = processPayments.spanContext();
    expect(receiptEnvelope?.traceparent).toBe(`00-${pp.traceId}-${pp.spanId}-01`);
    expect(publishEmails.parentSpanContext?.spanId).toBe(pp.spanId);
    expect(publishEmails.links[0]?.context.spanId).toBe(pp.spanId);

    for (const span of [publishPayments, processPayments, publishEmails])
      expect(span.spanContext().traceId).toBe(traceId);

    // Default parenting: the Lambda invocation is the parent, the publish a link.
    expect(processEmails.parentSpanContext?.spanId).toBe(invocation.spanContext().spanId);
    expect(processEmails.spanContext().traceId).toBe(invocation.spanContext().traceId);
    expect(processEmails.links.map((l) => l.context.spanId)).toEqual([publishEmails.spanContext().spanId]);
    expect(processEmails.links[0]?.context.traceId).toBe(traceId);
    expect(processEmails.attributes['checkout.command.type']).toBe('SendReceipt');
  });

  it('the Lambda handler continues an AWSTraceHeader, and the envelope traceparent when that is all there is', async () => {
    const lambda = createSqsBatchHandler({
      client: s.sqs,
      metrics: false,
      queueUrl: 'http://localhost/000000000000/xray-queue',
      tracing: { useProducerAsParent: true },
      commands: [handleCommand(receipt, async () => {})],
    });
    const body = (traceparent?: string) =>
      JSON.stringify({
        messageId: '01HZY7Q9V3M4N5P6Q7R8S9T0VW',
        type: 'SendReceipt',
        schemaVersion: 1,
        orderId: 'ord-x',
        idempotencyKey: 'ord-x:SendReceipt',
        attempt: 1,
        occurredAt: '2026-01-01T00:00:00Z',
        ...(traceparent === undefined ? {} : { traceparent }),
        payload: { email: 'a@b.c' },
      });
    expect(await decode(body(), [receipt])).toBeDefined();
    const record = (id: string, text: string, awsTraceHeader?: string) => ({
      messageId: id,
      receiptHandle: id,
      body: text,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        ...(awsTraceHeader === undefined ? {} : { AWSTraceHeader: awsTraceHeader }),
      },
      messageAttributes: {},
      eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:xray-queue',
    });
    const result = await lambda({
      Records: [
        record('m-xray', body(), 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'),
        record('m-envelope', body('00-11111111111111111111111111111111-2222222222222222-01')),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    const spans = byName('xray-queue process');
    const xray = spans.find((span) => span.attributes['messaging.message.id'] === 'm-xray');
    const envelope = spans.find((span) => span.attributes['messaging.message.id'] === 'm-envelope');
    expect(xray?.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(xray?.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
    expect(envelope?.spanContext().traceId).toBe('11111111111111111111111111111111');
    expect(envelope?.links[0]?.context.spanId).toBe('2222222222222222');
  });
});
