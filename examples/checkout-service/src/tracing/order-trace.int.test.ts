// One order through the checkout request, the outbox relays and every stage's worker on the local
// stack, traced in memory: one trace, each publish a PRODUCER child of the span that enqueued it
// (and linked to it), each processing a CONSUMER child of its publish (and linked to it).
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from '../local/checkout-environment.js';
import { type LocalRunner, startLocalRunner } from '../local/local-runner.js';
import { type SpanCollector, startSpanCollector } from './span-collector.js';
import type { SpanRecord } from './span-record.js';
import { formatTimeline, tracingReport } from './trace-report.js';
import { tracedCheckout } from './traced-checkout.js';

let env: CheckoutEnvironment;
let runner: LocalRunner | undefined;
let spans: SpanCollector;

beforeAll(async () => {
  spans = startSpanCollector();
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 5,
    faults: { lostResponseRate: 0, latencyMs: 1, spikeRate: 0, spikeMs: 0 },
    initialStock: { mug: 100, tee: 100, hot: 1 },
  });
});
afterAll(async () => {
  await runner?.stop();
  await env?.close();
  await spans?.close();
});

describe('one order, one trace (example)', () => {
  it('checkout -> payment -> inventory -> fulfillment -> notification/analytics, every span connected', async () => {
    runner = await startLocalRunner({
      deps: env.deps,
      pool: env.pool,
      sqs: env.sqs,
      queueUrls: env.processConfig.queueUrls,
      listen: env.postgresUrl,
      relays: 1,
    });
    const request = {
      idempotencyKey: 'trace-order-1',
      principal: 'demo-shop',
      body: { customerId: 'c-1', currency: 'EUR', lines: [{ sku: 'mug', quantity: 1 }], paymentToken: 'tok_1' },
    };
    const first = await tracedCheckout(env.deps, request);
    const replay = await tracedCheckout(env.deps, request);
    expect([first.status, replay.status]).toEqual([201, 201]);
    const orderId = (first.body as { orderId: string }).orderId;
    await waitForDrain(env, { timeoutMs: 60_000 });
    await runner.stop();

    const records = spans.records().filter((span) => span.orderId === orderId && !span.replayed);
    const [checkout] = records.filter((span) => span.kind === 'server');
    expect(checkout?.name).toBe('POST /checkout');
    const byId = new Map(records.map((span) => [span.spanId, span]));
    const publishes = records.filter((span) => span.kind === 'producer');
    const processes = records.filter((span) => span.kind === 'consumer');
    expect(publishes.length).toBeGreaterThanOrEqual(4);
    expect(processes.length).toBe(publishes.length);
    for (const span of records) expect(span.traceId, span.name).toBe(checkout?.traceId);
    const parentOf = (span: SpanRecord) => (span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId));
    for (const publish of publishes) {
      expect(publish.name).toMatch(/ publish$/);
      const parent = parentOf(publish);
      expect(parent === checkout || parent?.kind === 'consumer', publish.name).toBe(true);
      expect(publish.links).toEqual([{ traceId: checkout?.traceId, spanId: publish.parentSpanId }]);
    }
    for (const process of processes) {
      expect(process.name).toMatch(/ process$/);
      expect(parentOf(process)?.kind).toBe('producer');
      expect(process.links.map((link) => link.spanId)).toEqual([process.parentSpanId]);
      expect(process.error).toBe(false);
    }
    // The checkout's first command is the payment, published under the request.
    expect(publishes.filter((span) => span.parentSpanId === checkout?.spanId)).toHaveLength(1);
    // The state machine and idempotency say what they did, on the spans that did it.
    expect(processes.flatMap((span) => span.events)).toContain('state_machine.transition');
    expect(checkout?.events).toContain('idempotency.executed');
    // The duplicate submission was a replay: its own request span, not part of the order's work.
    expect(spans.records().filter((span) => span.orderId === orderId && span.replayed)).toHaveLength(1);

    expect(tracingReport(spans.records())).toMatchObject({ orders: 1, connected: 1, replayedRequests: 1 });
    const timeline = formatTimeline(orderId, spans.records());
    expect(timeline.split('\n')[1]).toMatch(/POST \/checkout \(server/);
    expect(timeline).toMatch(/\n.* {3}\S+ process \(consumer/);
  });
});
