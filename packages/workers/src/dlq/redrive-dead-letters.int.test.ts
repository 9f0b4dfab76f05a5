import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue, type TestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { PermanentError, WorkersConfigError } from '../errors.js';
import { createSqsBatchHandler } from '../lambda/sqs-batch-handler.js';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard, sendReceipt } from '../test-support/commands.js';
import { chargeBody } from '../test-support/consumer-fixtures.js';
import { encodeNow } from '../test-support/envelopes.js';
import { drain, invokeFromQueue, recordingClient, sendAll } from '../test-support/sqs-helpers.js';
import { MAX_RECEIVE_COUNT_REASON } from './dead-letter-message.js';
import { listDeadLetters } from './list-dead-letters.js';
import { redriveDeadLetters } from './redrive-dead-letters.js';

const stack = useCheckoutStack();
const clients: SQSClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});

const receiptBody = (seq: number) =>
  JSON.stringify({
    ...encodeNow(
      sendReceipt,
      { email: 'buyer@example.com', seq },
      { orderId: `o-${seq}`, idempotencyKey: `o-${seq}:receipt` },
    ),
    payload: { email: 'not-an-email', seq },
  });

/** A source queue whose DLQ holds 17 messages parked for real by the Lambda handler (plus 2 raw). */
async function populatedDlq() {
  const recording = recordingClient(stack.sqs.clientConfig);
  clients.push(recording.client);
  const sqs = recording.client;
  const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
  const dlqUrl = queue.dlq?.queueUrl ?? '';
  const tenant = { tenant: { DataType: 'String', StringValue: 'acme' } };
  await sendAll(sqs, queue.queueUrl, [
    ...Array.from({ length: 6 }, (_, i) => ({ MessageBody: `garbage ${i}` })),
    ...Array.from({ length: 4 }, (_, i) => ({ MessageBody: chargeBody(i), MessageAttributes: tenant })),
    ...Array.from({ length: 5 }, (_, i) => ({ MessageBody: receiptBody(i) })),
  ]);
  const handler = createSqsBatchHandler({
    client: sqs,
    metrics: false,
    commands: [
      handleCommand(chargeCard, () => {
        throw new PermanentError('card expired');
      }),
      handleCommand(sendReceipt, () => {}),
    ],
  });
  let parked = 0;
  while (parked < 15) parked += (await invokeFromQueue(sqs, queue, handler)).records.length;
  // Two messages as SQS's redrive policy leaves them: no annotation.
  for (const seq of [100, 101]) {
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: chargeBody(seq) }));
  }
  return { ...recording, sqs, queue: queue as TestQueue & { dlq: NonNullable<TestQueue['dlq']> }, dlqUrl };
}

describe.concurrent('DLQ tooling (real SQS emulator)', () => {
  it('lists every message with its reason and leaves them in place', async () => {
    const fixture = await populatedDlq();
    const { sqs, dlqUrl } = fixture;
    const listed = await listDeadLetters({ client: sqs, queueUrl: dlqUrl });
    expect(listed).toHaveLength(17);
    const byReason = (reason: string) => listed.filter((m) => m.reason === reason);
    expect(byReason('poison:unparseable')).toHaveLength(6);
    expect(byReason('permanent').map((m) => m.type)).toEqual(['ChargeCard', 'ChargeCard', 'ChargeCard', 'ChargeCard']);
    expect(byReason('permanent')[0]?.error).toBe('PermanentError: card expired');
    expect(byReason('poison:schema-invalid')).toHaveLength(5);
    expect(byReason(MAX_RECEIVE_COUNT_REASON)).toHaveLength(2);
    expect(await listDeadLetters({ client: sqs, queueUrl: dlqUrl, maxMessages: 5 })).toHaveLength(5);
    expect(await listDeadLetters({ client: sqs, queueUrl: dlqUrl })).toHaveLength(17);
  });

  it('dry run counts matches and changes nothing', async () => {
    const fixture = await populatedDlq();
    const { sqs, dlqUrl, queue, count } = fixture;
    const sendsBefore = count('SendMessage');
    const result = await redriveDeadLetters({
      client: sqs,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      filter: { reasons: ['poison'] },
      dryRun: true,
    });
    expect(result).toMatchObject({
      mode: 'receive-send-delete',
      dryRun: true,
      scanned: 17,
      matched: 11,
      moved: 0,
      skipped: 6,
    });
    expect(result.messages.filter((m) => m.action === 'would-move')).toHaveLength(11);
    expect(count('SendMessage')).toBe(sendsBefore);
    expect(count('DeleteMessage')).toBe(0);
    expect(await listDeadLetters({ client: sqs, queueUrl: dlqUrl })).toHaveLength(17);
    expect(await drain(sqs, queue.queueUrl)).toHaveLength(0);
  });

  it('filtered redrive moves only matches, restores original attributes, and conserves counts', async () => {
    const fixture = await populatedDlq();
    const { sqs, dlqUrl, queue } = fixture;
    const result = await redriveDeadLetters({
      client: sqs,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      filter: { types: ['ChargeCard'], reasons: ['permanent'] },
    });
    expect(result).toMatchObject({ scanned: 17, matched: 4, moved: 4, skipped: 13, failed: 0, duplicated: 0 });
    const moved = await drain(sqs, queue.queueUrl, { delete: true });
    expect(moved).toHaveLength(4);
    for (const message of moved) {
      expect(Object.keys(message.messageAttributes)).toEqual(['tenant']);
      expect((JSON.parse(message.body) as { type: string }).type).toBe('ChargeCard');
    }
    const left = await listDeadLetters({ client: sqs, queueUrl: dlqUrl });
    expect(left).toHaveLength(13);
    expect(left.some((m) => m.reason === 'permanent')).toBe(false);

    const limited = await redriveDeadLetters({
      client: sqs,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      filter: { reasons: ['poison'] },
      maxMessages: 3,
      ratePerSecond: 50,
    });
    expect(limited.moved).toBe(3);
    expect(await drain(sqs, queue.queueUrl, { delete: true })).toHaveLength(3);
    expect(await listDeadLetters({ client: sqs, queueUrl: dlqUrl })).toHaveLength(10);

    const tooRecent = await redriveDeadLetters({
      client: sqs,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      filter: { minAgeMs: 3_600_000 },
    });
    expect(tooRecent).toMatchObject({ scanned: 10, matched: 0, moved: 0 });
  });

  it('unfiltered redrive tries StartMessageMoveTask and falls back when the endpoint lacks it', async () => {
    const fixture = await populatedDlq();
    const { sqs, dlqUrl, queue, count } = fixture;
    const result = await redriveDeadLetters({
      client: sqs,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
    });
    expect(count('StartMessageMoveTask')).toBe(1);
    expect(result).toMatchObject({ mode: 'receive-send-delete', scanned: 17, moved: 17 });
    expect(await drain(sqs, queue.queueUrl)).toHaveLength(17);
    expect(await listDeadLetters({ client: sqs, queueUrl: dlqUrl })).toHaveLength(0);
  });

  it('refuses bad options, naming the field, before touching the queue', async () => {
    const fixture = await populatedDlq();
    const { sqs, dlqUrl, count } = fixture;
    const before = fixture.calls.length;
    await expect(
      redriveDeadLetters({ client: sqs, deadLetterQueueUrl: dlqUrl, targetQueueUrl: dlqUrl }),
    ).rejects.toBeInstanceOf(WorkersConfigError);
    await expect(
      redriveDeadLetters({ client: sqs, deadLetterQueueUrl: dlqUrl, targetQueueUrl: 'x', maxMessages: 0 }),
    ).rejects.toThrow(/maxMessages/);
    expect(fixture.calls.length).toBe(before);
    expect(count('ReceiveMessage')).toBeGreaterThan(0);
  });

  it('checkout-dlq CLI: list and a dry-run redrive print JSON', async () => {
    const fixture = await populatedDlq();
    const { dlqUrl, queue } = fixture;
    const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'checkout-dlq.ts');
    const { endpoint, region, credentials } = stack.sqs.clientConfig;
    const run = promisify(execFile);
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const node = [process.execPath, '--import', 'tsx', '--conditions=@checkout/source', cli] as const;
    const list = await run(
      node[0],
      [...node.slice(1), 'list', '--queue-url', dlqUrl, '--endpoint', endpoint, '--region', region],
      {
        env,
      },
    );
    const listed = JSON.parse(list.stdout) as { count: number; messages: Array<{ reason: string; body?: string }> };
    expect(listed.count).toBe(17);
    expect(listed.messages[0]?.body).toBeUndefined();
    const dry = await run(
      node[0],
      [
        ...node.slice(1),
        'redrive',
        '--from',
        dlqUrl,
        '--to',
        queue.queueUrl,
        '--reason',
        'permanent',
        '--dry-run',
        '--endpoint',
        endpoint,
        '--region',
        region,
      ],
      { env },
    );
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, matched: 4, moved: 0 });
  });
});
