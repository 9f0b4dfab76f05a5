import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestTimeoutError } from '../errors.js';
import { chargeBody } from '../test-support/consumer-fixtures.js';
import { hangCommands, type SilentEndpoint, startSilentEndpoint } from '../test-support/silent-endpoint.js';
import { drain, recordingClients, waitUntil } from '../test-support/sqs-helpers.js';
import { MAX_RECEIVE_COUNT_REASON } from './dead-letter-message.js';
import { listDeadLetters } from './list-dead-letters.js';
import { redriveDeadLetters } from './redrive-dead-letters.js';

const stack = useCheckoutStack();
const recording = recordingClients(stack.sqs.clientConfig);
const endpoints: SilentEndpoint[] = [];
afterAll(async () => {
  for (const endpoint of endpoints) await endpoint.close();
});

/** A real queue + DLQ holding `count` messages, and a client whose `commands` hang. */
async function fixture(count: number, commands: readonly string[]) {
  const endpoint = await startSilentEndpoint();
  endpoints.push(endpoint);
  const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
  const dlqUrl = queue.dlq?.queueUrl ?? '';
  const plain = recording();
  for (let seq = 0; seq < count; seq += 1) {
    await plain.client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: chargeBody(seq) }));
  }
  const hanging = recording();
  hangCommands(hanging.client, endpoint, commands);
  return { queue, dlqUrl, plain: plain.client, hanging };
}

describe.concurrent('redriveDeadLetters when SQS stops answering mid-run (real SQS emulator)', () => {
  it('a send that timed out is never followed by a delete: nothing is lost', async () => {
    const { queue, dlqUrl, plain, hanging } = await fixture(3, ['SendMessage']);
    const error = await redriveDeadLetters({
      client: hanging.client,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      moveTask: 'never',
      requestTimeoutMs: 1000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'WORKERS_REQUEST_TIMEOUT', operation: 'SendMessage' });
    expect(hanging.count('SendMessage')).toBe(1);
    expect(hanging.count('DeleteMessage')).toBe(0);
    // Handed back at once (visibility 0): all three are still in the DLQ, none in the target.
    expect(await listDeadLetters({ client: plain, queueUrl: dlqUrl })).toHaveLength(3);
    expect(await drain(plain, queue.queueUrl)).toHaveLength(0);
  });

  it('a delete that timed out leaves the message in both queues (at least once), never in neither', async () => {
    const { queue, dlqUrl, plain, hanging } = await fixture(2, ['DeleteMessage']);
    const error = await redriveDeadLetters({
      client: hanging.client,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      moveTask: 'never',
      requestTimeoutMs: 1000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'WORKERS_REQUEST_TIMEOUT', operation: 'DeleteMessage' });
    expect((error as Error).message).toMatch(/may be in both queues/);
    expect(hanging.count('SendMessage')).toBe(1);
    expect(hanging.count('DeleteMessage')).toBe(1);
    const sent = await drain(plain, queue.queueUrl);
    expect(sent).toHaveLength(1);
    const left = await listDeadLetters({ client: plain, queueUrl: dlqUrl });
    expect(left).toHaveLength(2);
    expect(left.map((message) => message.body)).toContain(sent[0]?.body);
  });

  it('leaves a message untouched when its hold would end before a send and a delete could time out', async () => {
    const { queue, dlqUrl, plain, hanging } = await fixture(3, []);
    // Hold 3 s, bound 1 s: a message may be sent only within 1 s of its receive. The rate limit
    // (one start per 2 s) makes the later ones wait longer than that, however fast the machine.
    const result = await redriveDeadLetters({
      client: hanging.client,
      deadLetterQueueUrl: dlqUrl,
      targetQueueUrl: queue.queueUrl,
      filter: { reasons: [MAX_RECEIVE_COUNT_REASON] },
      ratePerSecond: 0.5,
      scanVisibilitySeconds: 3,
      requestTimeoutMs: 1000,
    });
    expect(result.matched).toBe(3);
    expect(result.moved + result.failed).toBe(3);
    expect(result.failed).toBeGreaterThanOrEqual(2);
    expect(hanging.count('SendMessage')).toBe(result.moved);
    expect(hanging.count('DeleteMessage')).toBe(result.moved);
    // Every message is in exactly one of the two queues.
    expect(await drain(plain, queue.queueUrl)).toHaveLength(result.moved);
    await waitUntil(
      async () => (await listDeadLetters({ client: plain, queueUrl: dlqUrl })).length === result.failed,
      'the untouched messages back in the DLQ',
      20_000,
    );
  });

  it('refuses a scan hold that does not cover a send and a delete', async () => {
    await expect(
      redriveDeadLetters({
        client: recording().client,
        deadLetterQueueUrl: 'http://127.0.0.1:1/000000000000/dlq',
        targetQueueUrl: 'http://127.0.0.1:1/000000000000/q',
        scanVisibilitySeconds: 60,
        requestTimeoutMs: 30_000,
      }),
    ).rejects.toMatchObject({ code: 'WORKERS_INVALID_CONFIG', field: 'scanVisibilitySeconds' });
  });
});
