import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryIdempotencyStore, once, withIdempotency } from '../index.js';
import { type InMemoryTracing, registerInMemoryTracing } from '../test-support/tracing.js';

let tracing: InMemoryTracing;
beforeAll(() => {
  tracing = registerInMemoryTracing();
});
afterAll(async () => {
  await tracing.close();
});

describe('idempotency span events', () => {
  it('says on the active span whether the call executed or replayed', async () => {
    const store = createMemoryIdempotencyStore();
    const run = withIdempotency(async (input: { key: string; n: number }) => input.n * 2, {
      store,
      scope: 'checkout',
      key: (input) => input.key,
    });
    const span = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), span), async () => {
      await run({ key: 'k1', n: 2 });
      await run({ key: 'k1', n: 2 });
      await expect(run({ key: 'k1', n: 3 })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      await once(store, 'receipt', async () => 'sent');
    });
    span.end();
    const events = tracing.spans().find((s) => s.name === 'request')?.events ?? [];
    expect(events.map((e) => [e.name, e.attributes?.['checkout.idempotency.outcome']])).toEqual([
      ['idempotency.executed', 'value'],
      ['idempotency.replayed', 'value'],
      ['idempotency.key_reuse', undefined],
      ['idempotency.executed', 'value'],
    ]);
  });
});
