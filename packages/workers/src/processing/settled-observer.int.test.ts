// observer.settled and the envelope ids on observer.error, through the Lambda handler and the
// consumer, against the SQS emulator.
import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { createSqsConsumer } from '../consumer/sqs-consumer.js';
import { createSqsBatchHandler } from '../lambda/sqs-batch-handler.js';
import { chargeCard } from '../test-support/commands.js';
import { encodeNow } from '../test-support/envelopes.js';
import { invokeFromQueue, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { handleCommand } from './command-route.js';
import type { MessageSettledEvent, WorkerErrorEvent } from './worker-error.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);

const charge = (seq: number) =>
  JSON.stringify(
    encodeNow(
      chargeCard,
      { amountMinor: 100 + seq, currency: 'EUR', seq },
      { orderId: `order-${seq}`, idempotencyKey: `k-${seq}` },
    ),
  );

describe('observer.settled and the ids of observer.error', () => {
  it('the Lambda handler reports each delivery once, with the envelope ids; a poison body its ids when it has them', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const poison = JSON.stringify({ messageId: 'not-a-ulid', orderId: 'order-p', type: 'ChargeCard' });
    await sendAll(sqs, queue.queueUrl, [
      { MessageBody: charge(1) },
      { MessageBody: charge(2) },
      { MessageBody: poison },
    ]);
    const settled: MessageSettledEvent[] = [];
    const errors: WorkerErrorEvent[] = [];
    const handler = createSqsBatchHandler({
      client: sqs,
      metrics: false,
      backoff: { baseMs: 1000 },
      observer: { error: (event) => errors.push(event), settled: (event) => settled.push(event) },
      commands: [
        handleCommand(chargeCard, (envelope) => {
          if (envelope.payload.seq === 2) throw new Error('provider timeout');
        }),
      ],
    });
    const result = await invokeFromQueue(sqs, queue, handler, { batchSize: 3 });
    expect(result.records).toHaveLength(3);
    const byOrder = new Map(settled.map((event) => [event.orderId, event]));
    expect(settled).toHaveLength(3);
    expect(byOrder.get('order-1')).toMatchObject({ outcome: 'processed', type: 'ChargeCard', receiveCount: 1 });
    expect(byOrder.get('order-1')?.messageId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i);
    expect(byOrder.get('order-2')).toMatchObject({ outcome: 'retried' });
    expect(byOrder.get('order-p')).toMatchObject({
      outcome: 'dead-lettered',
      poison: 'invalid-envelope',
      messageId: 'not-a-ulid',
    });
    for (const event of settled) expect(result.records.map((record) => record.messageId)).toContain(event.sqsMessageId);
    expect(errors).toEqual([expect.objectContaining({ stage: 'handler', orderId: 'order-2', type: 'ChargeCard' })]);
    expect(errors[0]?.messageId).toBe(byOrder.get('order-2')?.messageId);
  });

  it('the consumer reports settled deliveries the same way, and a throwing hook breaks nothing', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(sqs, queue.queueUrl, [{ MessageBody: charge(7) }, { MessageBody: charge(8) }]);
    const settled: MessageSettledEvent[] = [];
    const consumer = createSqsConsumer({
      client: sqs,
      queueUrl: queue.queueUrl,
      waitTimeSeconds: 1,
      metrics: false,
      observer: {
        settled: (event) => {
          settled.push(event);
          throw new Error('hook failure');
        },
      },
      commands: [handleCommand(chargeCard, () => {})],
    });
    consumer.start();
    await waitUntil(() => settled.length === 2, 'two settled deliveries');
    await consumer.stop();
    expect(settled.map((event) => [event.orderId, event.outcome]).sort()).toEqual([
      ['order-7', 'processed'],
      ['order-8', 'processed'],
    ]);
    expect(consumer.stats().acknowledged).toBe(2);
  });

  it('refuses a settled hook that is not a function, naming it', () => {
    expect(() =>
      createSqsBatchHandler({
        metrics: false,
        observer: { settled: 'log' as unknown as () => void },
        commands: [handleCommand(chargeCard, () => {})],
      }),
    ).toThrow(expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: 'observer.settled' }));
  });
});
