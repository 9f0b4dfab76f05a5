import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../errors.js';
import type { MessageOutcome, QueueSnapshot } from '../metrics/worker-metrics.js';
import { handleCommand } from '../processing/command-route.js';
import { DLQ_ATTRIBUTES } from '../processing/dead-letter-attributes.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBodies, chargeBody, delay } from '../test-support/consumer-fixtures.js';
import { drain, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);

describe.concurrent('createSqsConsumer resilience (real SQS emulator)', () => {
  it('survives receive errors and an error listener that throws (sqs-consumer #770)', async () => {
    const recording = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(recording.client, queue.queueUrl, chargeBodies(20));
    recording.failNext('ReceiveMessage', 4);
    const events: WorkerErrorEvent[] = [];
    let done = 0;
    const consumer = createSqsConsumer({
      observer: {
        error: (event) => {
          events.push(event);
          throw new Error('listener bug');
        },
      },
      client: recording.client,
      queueUrl: queue.queueUrl,
      pollers: 1,
      waitTimeSeconds: 1,
      metrics: false,
      commands: [
        handleCommand(chargeCard, () => {
          done += 1;
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => done === 20, 'all messages despite receive errors');
    await consumer.stop();
    expect(events.filter((event) => event.stage === 'receive')).toHaveLength(4);
  });

  it('FIFO: keeps per-group order, a failing group does not stall the others (sqs-consumer #124)', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { fifo: true, maxReceiveCount: 5 });
    const groups = 10;
    const perGroup = 30;
    const entries = [];
    for (let seq = 0; seq < perGroup; seq += 1) {
      for (let g = 0; g < groups; g += 1) {
        entries.push({
          MessageBody: chargeBody(seq, `g${g}`),
          MessageGroupId: `g${g}`,
          MessageDeduplicationId: `${g}-${seq}`,
        });
      }
    }
    await sendAll(sqs, queue.queueUrl, entries);
    const seen = new Map<string, number[]>();
    let failed = false;
    const consumer = createSqsConsumer({
      observer: { error: () => {} },
      client: sqs,
      queueUrl: queue.queueUrl,
      concurrency: 20,
      waitTimeSeconds: 1,
      metrics: false,
      commands: [
        handleCommand(chargeCard, async (envelope) => {
          if (envelope.orderId === 'g3' && envelope.payload.seq === 5 && !failed) {
            failed = true;
            throw new TransientError('retry me', { retryAfterSeconds: 1 });
          }
          await delay(1);
          seen.set(envelope.orderId, [...(seen.get(envelope.orderId) ?? []), envelope.payload.seq ?? -1]);
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => [...seen.values()].reduce((n, list) => n + list.length, 0) === groups * perGroup, 'all');
    await consumer.stop();
    for (let g = 0; g < groups; g += 1) {
      expect(seen.get(`g${g}`)).toEqual(Array.from({ length: perGroup }, (_, i) => i));
    }
    expect(failed).toBe(true);
  });

  it('parks poison in the DLQ with its reason and deletes it from the queue', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(sqs, queue.queueUrl, [{ MessageBody: 'not json' }, { MessageBody: chargeBody(1) }]);
    let handled = 0;
    const consumer = createSqsConsumer({
      client: sqs,
      queueUrl: queue.queueUrl,
      waitTimeSeconds: 1,
      metrics: false,
      commands: [
        handleCommand(chargeCard, () => {
          handled += 1;
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => consumer.stats().acknowledged === 2, 'both acknowledged');
    await consumer.stop();
    expect(handled).toBe(1);
    const parked = await drain(sqs, queue.dlq?.queueUrl ?? '');
    expect(parked.map((m) => m.messageAttributes[DLQ_ATTRIBUTES.reason])).toEqual([
      { DataType: 'String', StringValue: 'poison:unparseable' },
    ]);
  });

  it('reports outcomes and queue snapshots to its metrics sink, and flushes on stop', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(sqs, queue.queueUrl, chargeBodies(5));
    const outcomes: MessageOutcome[] = [];
    const snapshots: QueueSnapshot[] = [];
    let flushes = 0;
    const consumer = createSqsConsumer({
      client: sqs,
      queueUrl: queue.queueUrl,
      waitTimeSeconds: 1,
      snapshotIntervalMs: 200,
      metrics: {
        recordOutcome: (outcome) => outcomes.push(outcome),
        recordQueueSnapshot: (snapshot) => snapshots.push(snapshot),
        flush: async () => {
          flushes += 1;
        },
      },
      commands: [handleCommand(chargeCard, () => {})],
    });
    consumer.start();
    await waitUntil(() => outcomes.length === 5 && snapshots.length > 0, 'outcomes and a snapshot');
    await consumer.stop();
    expect(outcomes.every((o) => o.outcome === 'processed' && o.type === 'ChargeCard' && o.ageMs !== undefined)).toBe(
      true,
    );
    expect(snapshots[0]?.queue).toBe(queue.name);
    expect(flushes).toBeGreaterThanOrEqual(1);
  });

  it('rejects bad options, naming the field', () => {
    const base = { queueUrl: 'http://q', commands: [handleCommand(chargeCard, () => {})], metrics: false as const };
    expect(() => createSqsConsumer({ ...base, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createSqsConsumer({ ...base, batchSize: 11 })).toThrow(/batchSize/);
    expect(() => createSqsConsumer({ ...base, waitTimeSeconds: 21 })).toThrow(/waitTimeSeconds/);
    expect(() => createSqsConsumer({ ...base, rateLimit: { perSecond: 0 } })).toThrow(/rateLimit\.perSecond/);
    expect(() => createSqsConsumer({ ...base, metricsIntervalMs: 0 })).toThrow(/metricsIntervalMs/);
    expect(() => createSqsConsumer({ ...base, visibilityTimeoutSeconds: 3, heartbeat: { intervalMs: 3000 } })).toThrow(
      /heartbeat/,
    );
  });
});
