import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listDeadLetters } from '../dlq/list-dead-letters.js';
import { defineCommand } from '../envelope/define-command.js';
import { DeadLetterAnnotationDroppedError, PermanentError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import { DLQ_ATTRIBUTES, messageBytes } from '../processing/dead-letter-attributes.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { encodeNow } from '../test-support/envelopes.js';
import { depth, drain, invokeFromQueue, recordingClients } from '../test-support/sqs-helpers.js';
import { createSqsBatchHandler } from './sqs-batch-handler.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);
const MIB = 1_048_576;

const bigNote = defineCommand({ type: 'BigNote', version: 1, payload: z.object({ note: z.string() }) });

/**
 * An envelope body of exactly `bytes` UTF-8 bytes, mostly '€' (3 bytes, 1 UTF-16 unit: counting
 * characters instead of bytes would be off by 3x). The emulator refuses characters outside the BMP.
 */
function bodyOfBytes(bytes: number, type = 'BigNote'): string {
  const base = JSON.stringify({ ...encodeNow(bigNote, { note: '' }, { orderId: 'o-1', idempotencyKey: 'k-1' }), type });
  const room = bytes - Buffer.byteLength(base, 'utf8');
  const note = '€'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3);
  const body = JSON.stringify({ ...JSON.parse(base), payload: { note } });
  expect(Buffer.byteLength(body, 'utf8')).toBe(bytes);
  return body;
}

describe.concurrent('poison near the 1 MiB limit is parked anyway (real SQS emulator)', () => {
  it('permanent failure, body 1 MiB - 1,000 bytes: parked with its reason and original attribute, error detail cut to fit; handler ran once', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const body = bodyOfBytes(MIB - 1_000);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: body,
        MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } },
      }),
    );
    let runs = 0;
    const errors: WorkerErrorEvent[] = [];
    const handler = createSqsBatchHandler({
      client: sqs,
      metrics: false,
      observer: { error: (event) => errors.push(event) },
      commands: [
        handleCommand(bigNote, () => {
          runs += 1;
          throw new PermanentError(`card expired: ${'x'.repeat(2_000)}`);
        }),
      ],
    });
    const first = await invokeFromQueue(sqs, queue, handler);
    expect(first.records).toHaveLength(1);
    expect(first.failed).toEqual([]);
    expect(runs).toBe(1);
    expect(errors).toEqual([]);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const [parked, ...more] = await drain(sqs, queue.dlq.queueUrl);
    expect(more).toEqual([]);
    expect(parked?.body).toBe(body);
    const attributes = parked?.messageAttributes as Record<string, { DataType: string; StringValue: string }>;
    expect(attributes[DLQ_ATTRIBUTES.reason]?.StringValue).toBe('permanent');
    expect(attributes.tenant?.StringValue).toBe('acme');
    const error = attributes[DLQ_ATTRIBUTES.error]?.StringValue ?? '';
    expect(error.startsWith('PermanentError: card expired: xxx')).toBe(true);
    expect(error.length).toBeLessThan(1_000);
    expect(messageBytes(body, attributes)).toBeLessThanOrEqual(MIB);
  });

  it('poison, body 1 MiB - 50 bytes: only the reason (44 bytes) fits beside it, and it is kept', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const body = bodyOfBytes(MIB - 50, 'NoSuchCommand');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: body,
        MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } },
      }),
    );
    const handler = createSqsBatchHandler({
      client: sqs,
      metrics: false,
      observer: { error: () => {} },
      commands: [handleCommand(bigNote, () => {})],
    });
    expect((await invokeFromQueue(sqs, queue, handler)).failed).toEqual([]);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const [parked] = await listDeadLetters({ client: sqs, queueUrl: queue.dlq.queueUrl });
    expect(parked?.body).toBe(body);
    expect(parked?.reason).toBe('poison:unknown-type');
    expect(Object.keys(parked?.messageAttributes ?? {})).toEqual([DLQ_ATTRIBUTES.reason]);
  });

  it('body of exactly 1 MiB: no room for any annotation; parked bare, never retried, the reason goes to the error hook', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const body = bodyOfBytes(MIB);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
    let runs = 0;
    const errors: WorkerErrorEvent[] = [];
    const handler = createSqsBatchHandler({
      client: sqs,
      metrics: false,
      observer: { error: (event) => errors.push(event) },
      commands: [
        handleCommand(bigNote, () => {
          runs += 1;
          throw new PermanentError('order cancelled');
        }),
      ],
    });
    const { records, failed } = await invokeFromQueue(sqs, queue, handler);
    expect(records).toHaveLength(1);
    expect(failed).toEqual([]);
    expect(runs).toBe(1);
    expect(await depth(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const parked = await drain(sqs, queue.dlq.queueUrl);
    expect(parked.map((message) => message.body)).toEqual([body]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.stage).toBe('dead-letter');
    expect(errors[0]?.sqsMessageId).toBe(records[0]?.messageId);
    const dropped = errors[0]?.error as DeadLetterAnnotationDroppedError;
    expect(dropped).toBeInstanceOf(DeadLetterAnnotationDroppedError);
    expect(dropped.reason).toBe('permanent');
    expect(dropped.message).toMatch(/order cancelled/);
  });
});

describe('an error message SQS would refuse does not keep poison from being parked', () => {
  it('NUL, U+FFFF and an unpaired surrogate in a PermanentError message: parked with the reason', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const body = bodyOfBytes(2_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
    const handler = createSqsBatchHandler({
      client: sqs,
      metrics: false,
      observer: { error: () => {} },
      commands: [
        handleCommand(bigNote, () => {
          throw new PermanentError('bad\u0000card\uFFFF\uD800');
        }),
      ],
    });
    expect((await invokeFromQueue(sqs, queue, handler)).failed).toEqual([]);
    const [parked] = await listDeadLetters({ client: sqs, queueUrl: queue.dlq.queueUrl });
    expect(parked).toMatchObject({ reason: 'permanent', error: 'PermanentError: bad\uFFFDcard\uFFFD\uFFFD' });
  });
});
