import type { SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBody } from '../test-support/consumer-fixtures.js';
import { recordingClient, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

const stack = useCheckoutStack();
const clients: SQSClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});

// A measured property, on a loaded 2-core machine. The token bucket computes tokens from a
// monotonic clock, so a late timer can only delay starts: the UPPER bound (the promise that
// protects Postgres and the provider) is asserted tightly, within 10%, over 400 starts (4 s at
// 100/s, so one delayed first start cannot skew it). The LOWER bound depends on how much CPU the
// other test files leave us, so it is loose (half the rate): it catches a broken limiter that
// starves, not a busy machine.
describe('createSqsConsumer rate limit (real SQS emulator)', () => {
  it('starts handlers at no more than the configured rate (within 10%)', async () => {
    const recording = recordingClient(stack.sqs.clientConfig);
    clients.push(recording.client);
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const total = 400;
    const perSecond = 100;
    await sendAll(
      recording.client,
      queue.queueUrl,
      Array.from({ length: total }, (_, seq) => ({ MessageBody: chargeBody(seq) })),
    );
    const starts: number[] = [];
    const consumer = createSqsConsumer({
      client: recording.client,
      queueUrl: queue.queueUrl,
      concurrency: 20,
      waitTimeSeconds: 1,
      rateLimit: { perSecond },
      metrics: false,
      commands: [
        handleCommand(chargeCard, () => {
          starts.push(performance.now());
        }),
      ],
    });
    consumer.start();
    await waitUntil(() => starts.length === total, `${total} handler starts`, 60_000);
    await consumer.stop();
    const first = starts[0] ?? 0;
    const last = starts[total - 1] ?? 0;
    const measured = ((total - 1) / (last - first)) * 1000;
    expect(measured).toBeLessThanOrEqual(perSecond * 1.1);
    expect(measured).toBeGreaterThanOrEqual(perSecond * 0.5);
    // No 1-second window saw more than the rate (+10%: the default burst is 0.1 s worth).
    let busiest = 0;
    for (let i = 0, j = 0; i < starts.length; i += 1) {
      while (j < starts.length && (starts[j] ?? 0) - (starts[i] ?? 0) < 1000) j += 1;
      busiest = Math.max(busiest, j - i);
    }
    expect(busiest).toBeLessThanOrEqual(perSecond * 1.1 + 1);
  });
});
