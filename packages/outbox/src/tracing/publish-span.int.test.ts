import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxRelay } from '../relay/relay.js';
import { createOutboxFixture, drain, eventually, type OutboxFixture } from '../test-support/outbox-fixture.js';
import { type InMemoryTracing, registerInMemoryTracing } from '../test-support/tracing.js';

let f: OutboxFixture;
let tracing: InMemoryTracing;
beforeAll(async () => {
  f = await createOutboxFixture();
  tracing = registerInMemoryTracing();
});
afterAll(async () => {
  await tracing.close();
  await f.close();
});

async function receive(queueUrl: string, count: number) {
  const out: { body: string; messageId: string; attributes: Record<string, string | undefined> }[] = [];
  const deadline = Date.now() + 20_000;
  while (out.length < count && Date.now() < deadline) {
    const { Messages = [] } = await f.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of Messages) {
      out.push({
        body: m.Body ?? '',
        messageId: m.MessageId ?? '',
        attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
      });
    }
  }
  return out;
}

describe('publish spans', () => {
  it('a row enqueued under request A and published by a relay polling under its own span is linked to A, not to the relay', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `trace-${queue.name}`;
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER });
    await context.with(trace.setSpan(context.active(), request), () =>
      f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, groupKey: 'order-A', body: { n: 1 } })),
    );
    request.end();
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
    });
    const poll = tracer.startSpan('relay poll');
    await context.with(trace.setSpan(context.active(), poll), () => drain(relay, 1));
    poll.end();

    const publish = tracing.spans().find((s) => s.name === `${destination} publish`);
    expect(publish).toBeDefined();
    if (publish === undefined) return;
    const a = request.spanContext();
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(publish.spanContext().traceId).toBe(a.traceId);
    expect(publish.parentSpanContext?.spanId).toBe(a.spanId);
    expect(publish.links.map((l) => l.context.spanId)).toEqual([a.spanId]);
    expect(publish.parentSpanContext?.spanId).not.toBe(poll.spanContext().spanId);
    expect(publish.spanContext().traceId).not.toBe(poll.spanContext().traceId);
    expect(publish.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': destination,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'checkout.outbox.group_key': 'order-A',
      'checkout.outbox.attempt': 1,
    });

    const [message] = await receive(queue.queueUrl, 1);
    expect(publish.attributes['messaging.message.id']).toBe(message?.messageId);
    const ps = publish.spanContext();
    expect(message?.attributes.traceparent).toBe(`00-${ps.traceId}-${ps.spanId}-01`);
  });

  it('a row enqueued with no active span is published in a root span of its own, without links', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `root-${queue.name}`;
    await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, body: { n: 2 } }));
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
    });
    const poll = trace.getTracer('test').startSpan('relay poll');
    await context.with(trace.setSpan(context.active(), poll), () => drain(relay, 1));
    poll.end();
    const publish = tracing.spans().find((s) => s.name === `${destination} publish`);
    expect(publish?.parentSpanContext).toBeUndefined();
    expect(publish?.links).toEqual([]);
  });

  it('a failed publish ends its span with an error status', async () => {
    const destination = 'nowhere-at-all';
    await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, body: { n: 3 } }));
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: {} }),
      maxAttempts: 1,
    });
    // Other test files share the cluster and may hold the visibility fence: rounds until it was tried.
    const publishSpan = () => tracing.spans().find((s) => s.name === `${destination} publish`);
    await eventually(async () => {
      await relay.runUntilIdle();
      return publishSpan() !== undefined;
    });
    const publish = publishSpan();
    expect(publish?.status.code).toBe(2);
    expect(publish?.status.message).toMatch(/OutboxUnknownDestinationError/);
  });
});
