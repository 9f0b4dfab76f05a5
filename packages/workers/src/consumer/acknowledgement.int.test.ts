import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBodies, delay, deletedMessageIds } from '../test-support/consumer-fixtures.js';
import { depth, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);

/** A started consumer of `queueUrl` running `handler` for ChargeCard with `concurrency` workers. */
function consume(
  sqs: ReturnType<typeof client>['client'],
  queueUrl: string,
  concurrency: number,
  handler: (envelope: { readonly payload: { readonly seq?: number | undefined } }) => Promise<void>,
  batchSize?: number,
) {
  const consumer = createSqsConsumer({
    client: sqs,
    queueUrl,
    concurrency,
    ...(batchSize === undefined ? {} : { batchSize }),
    waitTimeSeconds: 1,
    metrics: false,
    commands: [handleCommand(chargeCard, handler)],
  });
  consumer.start();
  return consumer;
}

/** Makes every `DeleteMessageBatch` of `sqs` take `ms` longer. */
function slowDeletes(sqs: ReturnType<typeof client>['client'], ms: number): void {
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName === 'DeleteMessageBatchCommand') await delay(ms);
      return next(args);
    },
    { step: 'initialize', name: 'slowDeletes' },
  );
}

describe('createSqsConsumer acknowledgements (real SQS emulator)', () => {
  it('frees the worker when the handler settles: a slow DeleteMessageBatch holds no slot', async () => {
    const { client: sqs, calls } = client();
    // Every DeleteMessageBatch takes 1.5 s: the next message must not wait for it.
    slowDeletes(sqs, 1_500);
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5, visibilityTimeoutSeconds: 30 });
    await sendAll(sqs, queue.queueUrl, chargeBodies(3));
    const runs: Array<{ start: number; end: number }> = [];
    const consumer = consume(sqs, queue.queueUrl, 1, async () => {
      const start = performance.now();
      await delay(10);
      runs.push({ start, end: performance.now() });
    });
    await waitUntil(() => consumer.stats().acknowledged === 3, '3 acknowledged', 20_000);
    await consumer.stop();
    expect(runs).toHaveLength(3);
    // One worker: the handlers ran one after another, each starting well before the 1.5 s
    // acknowledgement of the one before it came back.
    for (let i = 1; i < runs.length; i += 1) {
      const gap = (runs[i]?.start ?? 0) - (runs[i - 1]?.end ?? 0);
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThan(1_000);
    }
    expect(deletedMessageIds(calls).size).toBe(3);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('frees the receive slot when the handler settles: receives go on while acknowledgements wait', async () => {
    const { client: sqs } = client();
    slowDeletes(sqs, 1_500);
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5, visibilityTimeoutSeconds: 30 });
    await sendAll(sqs, queue.queueUrl, chargeBodies(6));
    const began = performance.now();
    const starts: number[] = [];
    // One worker and receive slots for two messages (concurrency 1 + batch 1).
    const consumer = consume(
      sqs,
      queue.queueUrl,
      1,
      async () => {
        starts.push(performance.now() - began);
      },
      1,
    );
    await waitUntil(() => consumer.stats().acknowledged === 6, '6 acknowledged', 20_000);
    await consumer.stop();
    expect(starts).toHaveLength(6);
    // Every handler started before the first DeleteMessageBatch came back (50 ms window + 1.5 s).
    // Had a message waiting for its acknowledgement kept its receive slot, the third would have
    // waited for that answer.
    expect(Math.max(...starts)).toBeLessThan(1_400);
  });

  it('coalesces acknowledgements of handlers settling a few ms apart into full DeleteMessageBatch calls', async () => {
    const { client: sqs, calls, count } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5, visibilityTimeoutSeconds: 30 });
    const total = 10;
    await sendAll(sqs, queue.queueUrl, chargeBodies(total));
    let started = 0;
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const consumer = consume(sqs, queue.queueUrl, total, async (envelope) => {
      started += 1;
      if (started === total) openGate();
      await Promise.race([gate, delay(10_000)]);
      // Settle 4 ms apart: 36 ms from the first to the last.
      await delay((envelope.payload.seq ?? 0) * 4);
    });
    await waitUntil(() => consumer.stats().acknowledged === total, `${total} acknowledged`, 20_000);
    await consumer.stop();
    expect(started).toBe(total);
    expect(deletedMessageIds(calls).size).toBe(total);
    // One DeleteMessageBatch per settled handler without a window; with it, one or two.
    expect(count('DeleteMessageBatch')).toBeLessThanOrEqual(3);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it.each([
    { fifo: false, window: 'waits about 50 ms for others' },
    { fifo: true, window: 'goes at once (the group waits for it)' },
  ])('a lone acknowledgement (fifo: $fifo) $window', async ({ fifo }) => {
    const { client: sqs, calls } = client();
    const queue = await createTestQueue(stack.sqs, { fifo, maxReceiveCount: 5, visibilityTimeoutSeconds: 30 });
    const entries = chargeBodies(1).map((entry) =>
      fifo ? { ...entry, MessageGroupId: 'order-0', MessageDeduplicationId: 'charge-0' } : entry,
    );
    await sendAll(sqs, queue.queueUrl, entries);
    let settledAt = 0;
    const consumer = consume(sqs, queue.queueUrl, 1, async () => {
      settledAt = Date.now();
    });
    await waitUntil(() => consumer.stats().acknowledged === 1, '1 acknowledged', 20_000);
    await consumer.stop();
    const deleteCall = calls.find((call) => call.command === 'DeleteMessageBatch');
    expect(deleteCall).toBeDefined();
    const waitedMs = (deleteCall?.at ?? 0) - settledAt;
    if (fifo) expect(waitedMs).toBeLessThan(45);
    else expect(waitedMs).toBeGreaterThanOrEqual(45);
  });
});
