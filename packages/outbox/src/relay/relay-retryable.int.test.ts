import { SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxPublisher, PublishOutcome } from '../publishers/publisher.js';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxFixture, drain, type OutboxFixture, outboxRow } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

// maxAttempts is for rows the destination refuses. A failure the publisher marks retryable (the
// destination not taking anything: an outage, throttling, a timeout) delays the row, however long it
// lasts, and never makes it dead.
let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

const rowOf = (id: string) => outboxRow(f, id);

async function enqueueOne(destination: string): Promise<string> {
  const [id] = await f.db
    .transaction()
    .execute((trx) => f.outbox.enqueue(trx, { destination, groupKey: `g-${destination}`, body: { destination } }));
  return id as string;
}

/** Runs rounds until `id` has been tried `attempts` times (other test files may hold the fence a moment). */
async function tryUntil(relay: ReturnType<typeof createOutboxRelay>, id: string, attempts: number) {
  for (let i = 0; i < 400; i += 1) {
    const row = await rowOf(id);
    if (row?.status !== 'pending' || row.attempts >= attempts) break;
    await relay.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A publisher answering every entry with `outcome` while `failing` is true, then accepting everything. */
function switchable(outcome: () => PublishOutcome | Promise<never>) {
  const state = { failing: true };
  const publisher: OutboxPublisher = {
    publish: async (entries) => {
      if (!state.failing) return entries.map(() => ({ ok: true }) as const);
      const result = outcome();
      if (result instanceof Promise) return result;
      return entries.map(() => result);
    },
  };
  return { publisher, state };
}

/** A relay to `publisher` with maxAttempts 2 and a 1 ms backoff; publish errors it reports are expected. */
function relayFor(publisher: OutboxPublisher, options: { readonly claimTimeoutMs?: number } = {}) {
  return createOutboxRelay({
    db: f.db,
    outbox: f.outbox,
    publisher,
    maxAttempts: 2,
    backoff: { baseMs: 1, maxMs: 1 },
    observer: { error: () => {} },
    ...options,
  });
}

describe('retryable publish failures', () => {
  it('an SQS endpoint that refuses connections: the row stays pending past maxAttempts, then goes out', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `outage-${queue.name}`;
    // The same queue URL through a client whose endpoint nothing listens on: ECONNREFUSED.
    const down = new SQSClient({ ...f.stack.sqs.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const queues = { [destination]: queue.queueUrl };
    const outage = createSqsPublisher({ client: down, queues });
    const live = createSqsPublisher({ client: f.sqs, queues });
    const state = { down: true };
    const relay = relayFor({ publish: (entries, signal) => (state.down ? outage : live).publish(entries, signal) });
    const id = await enqueueOne(destination);
    await tryUntil(relay, id, 5);
    expect(await rowOf(id)).toMatchObject({ status: 'pending', attempts: 5 });
    expect((await rowOf(id))?.last_error).toMatch(/ECONNREFUSED|connect/i);
    state.down = false;
    expect(await drain(relay, 1)).toBe(1);
    expect(await rowOf(id)).toMatchObject({ status: 'sent', attempts: 6, last_error: null });
    down.destroy();
  });

  it('retryable: true delays the row past maxAttempts; a refusal still makes it dead at maxAttempts', async () => {
    const outage = switchable(() => ({ ok: false, error: 'ServiceUnavailable: try later', retryable: true }));
    const relay = relayFor(outage.publisher);
    const id = await enqueueOne('flag-retryable');
    await tryUntil(relay, id, 4);
    expect(await rowOf(id)).toMatchObject({
      status: 'pending',
      attempts: 4,
      last_error: 'ServiceUnavailable: try later',
    });
    outage.state.failing = false;
    expect(await drain(relay, 1)).toBe(1);
    expect((await rowOf(id))?.status).toBe('sent');

    const refused = switchable(() => ({ ok: false, error: 'InvalidMessageContents: no' }));
    const strict = relayFor(refused.publisher);
    const bad = await enqueueOne('flag-refused');
    await tryUntil(strict, bad, 3);
    expect(await rowOf(bad)).toMatchObject({ status: 'dead', attempts: 2, last_error: 'InvalidMessageContents: no' });
  });

  it('a thrown error: transient (a reset connection) is retried past maxAttempts, any other one makes the row dead', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const flaky = switchable(() => Promise.reject(reset));
    const relay = relayFor(flaky.publisher);
    const id = await enqueueOne('thrown-transient');
    await tryUntil(relay, id, 4);
    expect(await rowOf(id)).toMatchObject({ status: 'pending', attempts: 4 });
    flaky.state.failing = false;
    expect(await drain(relay, 1)).toBe(1);

    const broken = switchable(() => Promise.reject(new Error('publisher bug')));
    const strict = relayFor(broken.publisher);
    const bad = await enqueueOne('thrown-other');
    await tryUntil(strict, bad, 3);
    expect(await rowOf(bad)).toMatchObject({ status: 'dead', attempts: 2, last_error: 'Error: publisher bug' });
  });

  it('a publish with no outcome by the round deadline is retried past maxAttempts', async () => {
    const hang = switchable(() => new Promise<never>(() => {}));
    const relay = relayFor(hang.publisher, { claimTimeoutMs: 1_000 });
    const id = await enqueueOne('no-outcome');
    await tryUntil(relay, id, 3);
    expect(await rowOf(id)).toMatchObject({ status: 'pending', attempts: 3 });
    expect((await rowOf(id))?.last_error).toMatch(/no outcome within/);
    hang.state.failing = false;
    expect(await drain(relay, 1)).toBe(1);
    expect((await rowOf(id))?.status).toBe('sent');
  }, 60_000);
});
