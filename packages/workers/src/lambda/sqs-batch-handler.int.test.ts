import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { listDeadLetters } from '../dlq/list-dead-letters.js';
import { redriveDeadLetters } from '../dlq/redrive-dead-letters.js';
import { PermanentError, TransientError } from '../errors.js';
import type { MessageOutcome, WorkerMetrics } from '../metrics/worker-metrics.js';
import { handleCommand } from '../processing/command-route.js';
import { DLQ_ATTRIBUTES } from '../processing/dead-letter-attributes.js';
import { chargeCard, sendReceipt } from '../test-support/commands.js';
import { encodeNow } from '../test-support/envelopes.js';
import { depth, drain, invokeFromQueue, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsBatchHandler } from './sqs-batch-handler.js';
import type { SqsEventRecord } from './sqs-event.js';

const stack = useCheckoutStack();
// Handler failures are the point of these tests; the default console.error report would be noise.
const quiet = () => {};
const client = recordingClients(stack.sqs.clientConfig);

function collectingMetrics() {
  const outcomes: MessageOutcome[] = [];
  const metrics: WorkerMetrics = {
    recordOutcome: (outcome) => outcomes.push(outcome),
    recordQueueSnapshot: () => {},
    flush: () => Promise.resolve(),
  };
  return { outcomes, metrics };
}

const charge = (seq: number, orderId = `order-${seq}`) =>
  JSON.stringify(
    encodeNow(
      chargeCard,
      { amountMinor: 100 + seq, currency: 'EUR', seq },
      { orderId, idempotencyKey: `${orderId}:charge` },
    ),
  );

describe.concurrent('createSqsBatchHandler (Lambda, real SQS emulator)', () => {
  it('reports exactly the 3 failing records of a batch of 10, and they are redelivered and then succeed', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(
      sqs,
      queue.queueUrl,
      Array.from({ length: 10 }, (_, seq) => ({ MessageBody: charge(seq) })),
    );
    const attempts = new Map<number, number[]>();
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      backoff: { baseMs: 1000 },
      commands: [
        handleCommand(chargeCard, (envelope, context) => {
          const seq = envelope.payload.seq ?? -1;
          attempts.set(seq, [...(attempts.get(seq) ?? []), context.receiveCount]);
          if ([2, 5, 7].includes(seq) && context.receiveCount === 1) throw new Error(`provider timeout ${seq}`);
        }),
      ],
    });
    const first = await invokeFromQueue(sqs, queue, handler);
    expect(first.records).toHaveLength(10);
    const failedSeqs = first.records
      .filter((record) => first.failed.includes(record.messageId))
      .map((record) => (JSON.parse(record.body) as { payload: { seq: number } }).payload.seq);
    expect(failedSeqs.sort()).toEqual([2, 5, 7]);
    expect(first.failed).toHaveLength(3);

    const redelivered: number[] = [];
    await waitUntil(async () => {
      const next = await invokeFromQueue(sqs, queue, handler);
      expect(next.failed).toEqual([]);
      redelivered.push(
        ...next.records.map((record) => (JSON.parse(record.body) as { payload: { seq: number } }).payload.seq),
      );
      return redelivered.length >= 3;
    }, 'the 3 failed records to come back');
    expect(redelivered.sort()).toEqual([2, 5, 7]);
    for (let seq = 0; seq < 10; seq += 1) expect(attempts.get(seq)).toEqual([2, 5, 7].includes(seq) ? [1, 2] : [1]);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('sends poison and permanent failures to the DLQ at once with their reason; the rest succeeds', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const good = Array.from({ length: 5 }, (_, seq) => ({ MessageBody: charge(seq) }));
    const permanentBody = charge(99);
    const unknownType = JSON.stringify({ ...JSON.parse(charge(90)), type: 'Nope' });
    const schemaInvalid = JSON.stringify({
      ...JSON.parse(charge(91)),
      payload: { amountMinor: 'ten', currency: 'EUR' },
    });
    await sendAll(sqs, queue.queueUrl, [
      ...good,
      { MessageBody: '{"half": ', MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } } },
      { MessageBody: unknownType },
      { MessageBody: schemaInvalid },
      { MessageBody: permanentBody },
    ]);
    const calls = new Map<number, number>();
    const { outcomes, metrics } = collectingMetrics();
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics,
      commands: [
        handleCommand(chargeCard, (envelope) => {
          const seq = envelope.payload.seq ?? -1;
          calls.set(seq, (calls.get(seq) ?? 0) + 1);
          if (seq === 99) throw new PermanentError('card expired');
        }),
      ],
    });
    const result = await invokeFromQueue(sqs, queue, handler);
    expect(result.records).toHaveLength(9);
    expect(result.failed).toEqual([]);
    expect([...calls.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [99, 1],
    ]);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const parked = await drain(sqs, queue.dlq?.queueUrl ?? '');
    const reasons = parked.map(
      (message) => (message.messageAttributes[DLQ_ATTRIBUTES.reason] as { StringValue: string }).StringValue,
    );
    expect(reasons.sort()).toEqual(['permanent', 'poison:schema-invalid', 'poison:unknown-type', 'poison:unparseable']);
    const bad = parked.find((message) => message.body === '{"half": ');
    expect(bad?.messageAttributes.tenant).toMatchObject({ StringValue: 'acme' });
    expect(bad?.messageAttributes[DLQ_ATTRIBUTES.receiveCount]).toMatchObject({ StringValue: '1' });
    const permanent = parked.find((message) => message.body === permanentBody);
    expect(permanent?.messageAttributes[DLQ_ATTRIBUTES.error]).toMatchObject({
      StringValue: 'PermanentError: card expired',
    });
    expect(outcomes.filter((o) => o.outcome === 'dead-lettered')).toHaveLength(4);
    expect(outcomes.filter((o) => o.poison !== undefined)).toHaveLength(3);
  });

  it('backs transient failures off with growing visibility; the redrive policy then moves them to the DLQ', async () => {
    const { client: sqs, calls } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 3 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: charge(1) }));
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      backoff: { baseMs: 1000 },
      random: () => 1,
      commands: [
        handleCommand(chargeCard, () => {
          throw new Error('provider 503');
        }),
      ],
    });
    const receiveCounts: number[] = [];
    await waitUntil(
      async () => {
        const { records } = await invokeFromQueue(sqs, queue, handler);
        receiveCounts.push(...records.map((record) => Number(record.attributes.ApproximateReceiveCount)));
        return (await depth(sqs, queue.dlq?.queueUrl ?? '')).visible === 1;
      },
      'the message to reach the DLQ',
      40_000,
    );
    expect(receiveCounts).toEqual([1, 2, 3]);
    const visibility = calls
      .filter((call) => call.command === 'ChangeMessageVisibility')
      .map((call) => call.input.VisibilityTimeout);
    expect(visibility).toEqual([1, 2, 4]);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('honours TransientError.retryAfterSeconds', async () => {
    const { client: sqs, calls } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 3 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: charge(1) }));
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      commands: [
        handleCommand(chargeCard, () => {
          throw new TransientError('rate limited', { retryAfterSeconds: 17 });
        }),
      ],
    });
    const { failed } = await invokeFromQueue(sqs, queue, handler);
    expect(failed).toHaveLength(1);
    expect(calls.find((call) => call.command === 'ChangeMessageVisibility')?.input.VisibilityTimeout).toBe(17);
  });

  it('FIFO: keeps per-group order across 20 groups x 50 messages; a failing group does not stall the others', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { fifo: true, maxReceiveCount: 5 });
    const groups = 20;
    const perGroup = 50;
    const entries = [];
    for (let seq = 0; seq < perGroup; seq += 1) {
      for (let g = 0; g < groups; g += 1) {
        entries.push({
          MessageBody: charge(seq, `order-g${g}`),
          MessageGroupId: `order-g${g}`,
          MessageDeduplicationId: `g${g}-${seq}`,
        });
      }
    }
    await sendAll(sqs, queue.queueUrl, entries);
    const seen = new Map<string, number[]>();
    let blockedSince: number | undefined;
    let otherGroupsWhileBlocked = 0;
    let failedOnce = false;
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      concurrency: 5,
      commands: [
        handleCommand(chargeCard, async (envelope, context) => {
          const group = context.messageGroupId ?? '';
          const seq = envelope.payload.seq ?? -1;
          if (group === 'order-g7' && seq === 10 && !failedOnce) {
            failedOnce = true;
            blockedSince = Date.now();
            throw new TransientError('provider down', { retryAfterSeconds: 2 });
          }
          if (group === 'order-g7' && seq === 10) blockedSince = undefined;
          if (blockedSince !== undefined && group !== 'order-g7') otherGroupsWhileBlocked += 1;
          await new Promise((resolve) => setImmediate(resolve));
          seen.set(group, [...(seen.get(group) ?? []), seq]);
        }),
      ],
    });
    const total = () => [...seen.values()].reduce((sum, list) => sum + list.length, 0);
    // Four concurrent simulated event-source pollers on ONE handler instance.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (total() < groups * perGroup) {
          const { records, failed } = await invokeFromQueue(sqs, queue, handler, { waitTimeSeconds: 1 });
          const failedGroups = new Set(
            records.filter((r) => failed.includes(r.messageId)).map((r) => r.attributes.MessageGroupId),
          );
          expect([...failedGroups].filter((group) => group !== 'order-g7')).toEqual([]);
        }
      }),
    );
    for (let g = 0; g < groups; g += 1) {
      expect(seen.get(`order-g${g}`)).toEqual(Array.from({ length: perGroup }, (_, i) => i));
    }
    expect(failedOnce).toBe(true);
    expect(otherGroupsWhileBlocked).toBeGreaterThan(0);
  }, 120_000);

  // fauxqs hands out one message per FIFO group per receive (real SQS may hand out several), so
  // these batches are built by hand, as Lambda would deliver them, on a real FIFO queue (whose DLQ
  // and visibility calls are real).
  function fifoRecord(queueArn: string, group: string, seq: number, receiveCount = 1): SqsEventRecord {
    return {
      messageId: `${group}-${seq}-${receiveCount}`,
      receiptHandle: `handle-${group}-${seq}-${receiveCount}`,
      body: charge(seq, group),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        MessageGroupId: group,
      },
      messageAttributes: {},
      eventSourceARN: queueArn,
    };
  }

  it('FIFO: after a failure the rest of that group is reported failed, unrun; other groups proceed', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { fifo: true, maxReceiveCount: 5 });
    const processed: string[] = [];
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      commands: [
        handleCommand(chargeCard, (envelope) => {
          if (envelope.orderId === 'a' && envelope.payload.seq === 2) throw new Error('boom');
          processed.push(`${envelope.orderId}:${envelope.payload.seq}`);
        }),
      ],
    });
    const records = [
      fifoRecord(queue.queueArn, 'a', 1),
      fifoRecord(queue.queueArn, 'b', 1),
      fifoRecord(queue.queueArn, 'a', 2),
      fifoRecord(queue.queueArn, 'b', 2),
      fifoRecord(queue.queueArn, 'a', 3),
      fifoRecord(queue.queueArn, 'a', 4),
      fifoRecord(queue.queueArn, 'b', 3),
    ];
    const { batchItemFailures } = await handler({ Records: records });
    expect(batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a-2-1', 'a-3-1', 'a-4-1']);
    expect(processed.filter((p) => p.startsWith('a'))).toEqual(['a:1']);
    expect(processed.filter((p) => p.startsWith('b'))).toEqual(['b:1', 'b:2', 'b:3']);
  });

  it('two invocations on one handler instance share no state (Powertools #3673)', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { fifo: true, maxReceiveCount: 5 });
    const processed: string[] = [];
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      commands: [
        handleCommand(chargeCard, async (envelope, context) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (envelope.payload.seq === 1 && context.receiveCount === 1 && envelope.orderId !== 'd') {
            throw new TransientError('first try fails');
          }
          processed.push(`${envelope.orderId}:${envelope.payload.seq}`);
        }),
      ],
    });
    const first = await handler({
      Records: [
        fifoRecord(queue.queueArn, 'a', 1),
        fifoRecord(queue.queueArn, 'a', 2),
        fifoRecord(queue.queueArn, 'b', 0),
      ],
    });
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a-1-1', 'a-2-1']);
    expect(processed).toEqual(['b:0']);
    // Warm instance, next invocation: the retried group is processed in order, nothing skipped.
    const second = await handler({
      Records: [fifoRecord(queue.queueArn, 'a', 1, 2), fifoRecord(queue.queueArn, 'a', 2, 2)],
    });
    expect(second.batchItemFailures).toEqual([]);
    expect(processed).toEqual(['b:0', 'a:1', 'a:2']);
    // Two invocations at once on the same instance (not something Lambda does, but proof that no
    // state is shared): a failure in one does not leak into the other.
    processed.length = 0;
    const [x, y] = await Promise.all([
      handler({ Records: [fifoRecord(queue.queueArn, 'c', 1), fifoRecord(queue.queueArn, 'c', 2)] }),
      handler({ Records: [fifoRecord(queue.queueArn, 'd', 1), fifoRecord(queue.queueArn, 'd', 2)] }),
    ]);
    expect(x.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['c-1-1', 'c-2-1']);
    expect(y.batchItemFailures).toEqual([]);
    expect(processed).toEqual(['d:1', 'd:2']);
  });

  it('aborts handlers before the Lambda timeout and reports them failed, not lost', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: charge(1) }));
    let sawAbort = false;
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      timeoutMarginMs: 29_900,
      commands: [
        handleCommand(chargeCard, async (_envelope, context) => {
          // On a busy machine the queue-URL lookup can outlast the 100 ms: it may already be aborted.
          if (!context.signal.aborted) {
            await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
          }
          sawAbort = true;
          throw new Error('gave up before the Lambda timeout');
        }),
      ],
    });
    // invokeFromQueue reports 30 s remaining: the signal fires 100 ms in.
    const { records, failed } = await invokeFromQueue(sqs, queue, handler);
    expect(sawAbort).toBe(true);
    expect(failed).toEqual(records.map((record) => record.messageId));
  });

  it('FIFO poison goes to the FIFO DLQ with its group, and a redrive puts it back in its group', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { fifo: true, maxReceiveCount: 5 });
    await sendAll(sqs, queue.queueUrl, [
      { MessageBody: 'not json', MessageGroupId: 'order-z', MessageDeduplicationId: 'z1' },
    ]);
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      commands: [handleCommand(chargeCard, () => {})],
    });
    expect((await invokeFromQueue(sqs, queue, handler)).failed).toEqual([]);
    const [parked] = await listDeadLetters({ client: sqs, queueUrl: queue.dlq?.queueUrl ?? '' });
    expect(parked).toMatchObject({ reason: 'poison:unparseable', messageGroupId: 'order-z' });
    const result = await redriveDeadLetters({
      client: sqs,
      deadLetterQueueUrl: queue.dlq?.queueUrl ?? '',
      targetQueueUrl: queue.queueUrl,
      moveTask: 'never',
    });
    expect(result.moved).toBe(1);
    const [back] = await drain(sqs, queue.queueUrl);
    expect(back?.attributes.MessageGroupId).toBe('order-z');
    expect(back?.body).toBe('not json');
  });

  it('a permanent failure with no DLQ anywhere is reported failed (kept), never dropped', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, {});
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'not json' }));
    const errors: string[] = [];
    const handler = createSqsBatchHandler({
      client: sqs,
      metrics: false,
      observer: { error: (event) => errors.push(`${event.stage}:${(event.error as Error).name}`) },
      commands: [handleCommand(chargeCard, () => {})],
    });
    const { records, failed } = await invokeFromQueue(sqs, queue, handler);
    expect(failed).toEqual(records.map((record) => record.messageId));
    expect(errors).toEqual(['dead-letter:DeadLetterQueueUnavailableError']);
  });

  it('upcasts a v1 envelope to v2 before the handler sees it', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const v2 = JSON.parse(charge(1)) as Record<string, unknown>;
    const v1 = { ...v2, schemaVersion: 1, payload: { amountCents: 4200 } };
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(v1) }));
    const payloads: unknown[] = [];
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      commands: [
        handleCommand(chargeCard, (envelope) => void payloads.push([envelope.schemaVersion, envelope.payload])),
      ],
    });
    expect((await invokeFromQueue(sqs, queue, handler)).failed).toEqual([]);
    expect(payloads).toEqual([[2, { amountMinor: 4200, currency: 'EUR' }]]);
  });

  it("mixed-version deploy: a newer producer's extra top-level field is processed; a newer envelope version is parked", async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    // What a producer one release ahead sends: the same envelope plus fields this consumer never heard of.
    const newer = { ...(JSON.parse(charge(1)) as Record<string, unknown>), tenantId: 'acme', replyTo: { queue: 'x' } };
    const breaking = { ...(JSON.parse(charge(2)) as Record<string, unknown>), envelopeVersion: 2 };
    await sendAll(sqs, queue.queueUrl, [
      { MessageBody: JSON.stringify(newer) },
      { MessageBody: JSON.stringify(breaking) },
    ]);
    const seen: unknown[] = [];
    const handler = createSqsBatchHandler({
      observer: { error: quiet },
      client: sqs,
      metrics: false,
      commands: [handleCommand(chargeCard, (envelope) => void seen.push(envelope))],
    });
    const { records, failed } = await invokeFromQueue(sqs, queue, handler);
    expect(records).toHaveLength(2);
    expect(failed).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'ChargeCard', payload: { seq: 1 } });
    expect(seen[0]).not.toHaveProperty('tenantId');
    const parked = await listDeadLetters({ client: sqs, queueUrl: queue.dlq.queueUrl });
    expect(parked.map((message) => [message.reason, message.body])).toEqual([
      ['poison:unsupported-version', JSON.stringify(breaking)],
    ]);
    expect(parked[0]?.error).toMatch(/envelopeVersion/);
  });

  it('routes several command types and rejects bad options', () => {
    expect(() => createSqsBatchHandler({ commands: [] })).toThrow(/commands/);
    expect(() =>
      createSqsBatchHandler({
        observer: { error: quiet },
        commands: [handleCommand(sendReceipt, () => {}), handleCommand(sendReceipt, () => {})],
      }),
    ).toThrow(/two handlers for command type SendReceipt/);
    expect(() =>
      createSqsBatchHandler({
        observer: { error: quiet },
        commands: [handleCommand(sendReceipt, () => {})],
        concurrency: 0,
        metrics: false,
      }),
    ).toThrow(/concurrency/);
  });
});
