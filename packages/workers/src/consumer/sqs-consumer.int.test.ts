import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBodies, delay, deletedMessageIds } from '../test-support/consumer-fixtures.js';
import { depth, drain, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);

describe('createSqsConsumer (real SQS emulator)', () => {
  it('runs handlers up to the configured concurrency of 50, never more (sqs-consumer #96/#229)', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(sqs, queue.queueUrl, chargeBodies(200));
    let active = 0;
    let peak = 0;
    let done = 0;
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const consumer = createSqsConsumer({
      client: sqs,
      queueUrl: queue.queueUrl,
      concurrency: 50,
      waitTimeSeconds: 1,
      metrics: false,
      commands: [
        handleCommand(chargeCard, async () => {
          active += 1;
          peak = Math.max(peak, active);
          if (active >= 50) openGate();
          // Hold every handler until 50 run at once (or 15 s pass: then the assertion fails).
          await Promise.race([gate, delay(15_000)]);
          active -= 1;
          done += 1;
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => done === 200, '200 messages', 45_000);
    await consumer.stop();
    expect(peak).toBe(50);
    expect(consumer.stats().acknowledged).toBe(200);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps a job running 3x the visibility timeout from being redelivered (heartbeat); without it, it is', async () => {
    const run = async (heartbeat: boolean) => {
      const { client: sqs } = client();
      const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 10, visibilityTimeoutSeconds: 3 });
      await sendAll(sqs, queue.queueUrl, chargeBodies(5));
      const starts = new Map<string, number>();
      let finished = 0;
      const consumer = createSqsConsumer({
        observer: { error: () => {} },
        client: sqs,
        queueUrl: queue.queueUrl,
        visibilityTimeoutSeconds: 3,
        heartbeat,
        waitTimeSeconds: 1,
        concurrency: 10,
        metrics: false,
        commands: [
          handleCommand(chargeCard, async (envelope) => {
            starts.set(envelope.messageId, (starts.get(envelope.messageId) ?? 0) + 1);
            await delay(9_000);
            finished += 1;
          }),
        ],
      });
      consumer.start();
      await waitUntil(() => finished >= 5, 'five 9-second jobs', 30_000);
      // Redelivered copies (no heartbeat) are still running: abandon them, they are not the point.
      await consumer.stop({ timeoutMs: 100 });
      return [...starts.values()];
    };
    const [withHeartbeat, withoutHeartbeat] = await Promise.all([run(true), run(false)]);
    expect(withHeartbeat).toEqual([1, 1, 1, 1, 1]);
    expect(withoutHeartbeat.some((count) => count > 1)).toBe(true);
  });

  it('stop() under load: no receive after stop, nothing unfinished deleted, nothing lost (sqs-consumer #567)', async () => {
    const { client: sqs, calls, count } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 10, visibilityTimeoutSeconds: 30 });
    const total = 300;
    await sendAll(sqs, queue.queueUrl, chargeBodies(total));
    const started = new Set<string>();
    const finished = new Set<string>();
    let startsAfterStop = 0;
    let stopped = false;
    const consumer = createSqsConsumer({
      client: sqs,
      queueUrl: queue.queueUrl,
      concurrency: 20,
      waitTimeSeconds: 20,
      metrics: false,
      commands: [
        handleCommand(chargeCard, async (envelope, context) => {
          if (stopped) startsAfterStop += 1;
          started.add(context.sqsMessageId);
          await delay(20 + ((envelope.payload.seq ?? 0) % 7) * 10);
          finished.add(context.sqsMessageId);
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => finished.size >= 100, '100 finished');
    const result = await consumer.stop({ timeoutMs: 20_000 });
    stopped = true;
    expect(result).toMatchObject({ drained: true, abandoned: 0 });
    const receivesAtStop = count('ReceiveMessage');
    await delay(1_500);
    expect(count('ReceiveMessage')).toBe(receivesAtStop);
    expect(startsAfterStop).toBe(0);
    expect(started).toEqual(finished);
    const deleted = deletedMessageIds(calls);
    expect([...deleted].filter((id) => !finished.has(id))).toEqual([]);
    expect(deleted).toEqual(finished);
    // Everything not finished is back in the queue, at once (nothing in flight, nothing lost).
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: total - finished.size, inFlight: 0 });
    const rest = await drain(sqs, queue.queueUrl);
    const seqs = new Set([
      ...rest.map((message) => (JSON.parse(message.body) as { payload: { seq: number } }).payload.seq),
    ]);
    expect(seqs.size + finished.size).toBe(total);
  });

  it('stop() with a timeout: releases unstarted messages, abandons stuck handlers without deleting them', async () => {
    const { client: sqs, calls } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 10, visibilityTimeoutSeconds: 2 });
    await sendAll(sqs, queue.queueUrl, chargeBodies(30));
    const finished = new Set<string>();
    let stuck = 0;
    const consumer = createSqsConsumer({
      observer: { error: () => {} },
      client: sqs,
      queueUrl: queue.queueUrl,
      concurrency: 5,
      maxInFlight: 15,
      visibilityTimeoutSeconds: 2,
      waitTimeSeconds: 1,
      metrics: false,
      commands: [
        handleCommand(chargeCard, async (envelope, context) => {
          if ((envelope.payload.seq ?? 0) % 2 === 1) {
            // Stuck until told to give up.
            stuck += 1;
            if (!context.signal.aborted) {
              await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
            }
            throw new Error('aborted');
          }
          finished.add(context.sqsMessageId);
        }),
      ],
    });
    consumer.start();
    // Steady state: 5 workers stuck, 10 more messages received and waiting for a worker.
    await waitUntil(
      () => stuck === 5 && consumer.stats().active === 5 && consumer.stats().inFlight === 15,
      'stuck handlers and a backlog',
    );
    const result = await consumer.stop({ timeoutMs: 300 });
    expect(result.drained).toBe(false);
    expect(result.abandoned).toBe(5);
    expect(result.released).toBe(10);
    const deleted = deletedMessageIds(calls);
    expect([...deleted].filter((id) => !finished.has(id))).toEqual([]);
    // Released and never-received messages are visible now; abandoned ones come back after their
    // backoff. (Receive, not GetQueueAttributes: fauxqs counts expired in-flight messages lazily.)
    const back = new Set<string>();
    await waitUntil(async () => {
      for (const message of await drain(sqs, queue.queueUrl)) back.add(message.body);
      return back.size === 30 - deleted.size;
    }, 'all unfinished messages back in the queue');
  });

  it('stop() during a long poll: hands back what that poll brings, receives nothing afterwards', async () => {
    const { client: sqs, count } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    let handled = 0;
    const consumer = createSqsConsumer({
      client: sqs,
      queueUrl: queue.queueUrl,
      waitTimeSeconds: 3,
      pollers: 2,
      metrics: false,
      commands: [
        handleCommand(chargeCard, () => {
          handled += 1;
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => count('ReceiveMessage') >= 2, 'two long polls');
    const stopping = consumer.stop();
    // Messages arriving while the polls are still open are received by them, then handed back.
    await sendAll(sqs, queue.queueUrl, chargeBodies(3));
    expect(await stopping).toEqual({ drained: true, released: 3, abandoned: 0 });
    const receives = count('ReceiveMessage');
    expect(receives).toBe(2);
    expect(handled).toBe(0);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 3, inFlight: 0 });
    await sendAll(sqs, queue.queueUrl, chargeBodies(2));
    await delay(1_000);
    expect(count('ReceiveMessage')).toBe(receives);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 5, inFlight: 0 });
    expect(() => consumer.start()).toThrow(/stopped/);
  });
});
