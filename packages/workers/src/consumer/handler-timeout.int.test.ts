import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { HandlerTimeoutError, TransientError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBodies } from '../test-support/consumer-fixtures.js';
import { depth, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);
const never = new Promise<void>(() => {});

describe.concurrent('createSqsConsumer time limits (real SQS emulator)', () => {
  it('gives up on a hung handler after handlerTimeoutMs: slot freed, heartbeat stopped, error reported, message back after its backoff (sqs-consumer #204)', async () => {
    const recording = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5, visibilityTimeoutSeconds: 3 });
    await sendAll(recording.client, queue.queueUrl, chargeBodies(2));
    const events: Array<WorkerErrorEvent & { at: number }> = [];
    const runs: string[] = [];
    let hungId: string | undefined;
    let hungSignal: AbortSignal | undefined;
    const consumer = createSqsConsumer({
      observer: { error: (event) => events.push({ ...event, at: Date.now() }) },
      client: recording.client,
      queueUrl: queue.queueUrl,
      concurrency: 1, // the hung handler holds the only worker until its time limit
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 3, // heartbeat every second: it renews the hung message until the limit
      handlerTimeoutMs: 4000,
      backoff: { baseMs: 1000 },
      random: () => 1,
      metrics: false,
      commands: [
        handleCommand(chargeCard, async (_envelope, context) => {
          runs.push(`${context.sqsMessageId}:${context.receiveCount}`);
          if (hungId === undefined) {
            hungId = context.sqsMessageId;
            hungSignal = context.signal;
            await never; // ignores its signal, never settles
          }
        }),
      ],
    });
    consumer.start();
    await waitUntil(
      () => hungId !== undefined && runs.includes(`${hungId}:2`),
      'the hung message to come back and pass',
    );
    await consumer.stop();

    const timeouts = events.filter((event) => event.error instanceof HandlerTimeoutError);
    expect(timeouts.map((event) => [event.stage, event.sqsMessageId])).toEqual([['handler', hungId]]);
    expect(hungSignal?.aborted).toBe(true);
    expect(hungSignal?.reason).toBeInstanceOf(HandlerTimeoutError);
    // The other message ran on the freed slot while the hung handler was still pending.
    expect(runs).toHaveLength(3);
    expect(runs[0]).toBe(`${hungId}:1`);
    expect(runs[1]?.endsWith(':1')).toBe(true);
    // Released with its backoff (base 1 s, first receive), after the heartbeat had renewed it.
    type Received = { Messages?: Array<{ MessageId?: string; ReceiptHandle?: string }> } | undefined;
    const handle = recording.calls
      .filter((call) => call.command === 'ReceiveMessage')
      .flatMap((call) => (call.output as Received)?.Messages ?? [])
      .find((m) => m.MessageId === hungId)?.ReceiptHandle;
    expect(handle).toBeDefined();
    const released = recording.calls.filter(
      (call) => call.command === 'ChangeMessageVisibility' && call.input.ReceiptHandle === handle,
    );
    expect(released.map((call) => call.input.VisibilityTimeout)).toEqual([1]);
    const renewals = recording.calls.filter(
      (call) =>
        call.command === 'ChangeMessageVisibilityBatch' &&
        (call.input.Entries as Array<{ ReceiptHandle: string }>).some((entry) => entry.ReceiptHandle === handle),
    );
    expect(renewals.length).toBeGreaterThan(0);
    const timedOutAt = timeouts[0]?.at ?? 0;
    expect(renewals.every((call) => call.at <= timedOutAt)).toBe(true);
    expect(consumer.stats()).toMatchObject({ active: 0, inFlight: 0, acknowledged: 2 });
    expect(await depth(recording.client, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('caps a retry delay at what is left of 12 h from the receive, not from now (fixed clock jump)', async () => {
    const recording = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(recording.client, queue.queueUrl, chargeBodies(1));
    let offsetMs = 0;
    let ran = false;
    const consumer = createSqsConsumer({
      observer: { error: () => {} },
      client: recording.client,
      queueUrl: queue.queueUrl,
      waitTimeSeconds: 1,
      metrics: false,
      now: () => Date.now() + offsetMs,
      commands: [
        handleCommand(chargeCard, () => {
          ran = true;
          offsetMs = 11 * 3_600_000; // the handler "took" 11 hours
          throw new TransientError('come back tomorrow', { retryAfterSeconds: 43_200 });
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => ran && recording.count('ChangeMessageVisibility') === 1, 'the retry');
    await consumer.stop();
    const [change] = recording.calls.filter((call) => call.command === 'ChangeMessageVisibility');
    expect(change?.input.VisibilityTimeout).toBeLessThanOrEqual(3_600);
    expect(change?.input.VisibilityTimeout).toBeGreaterThan(3_500);
  });
});
