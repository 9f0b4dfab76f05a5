import { describe, expect, it } from 'vitest';
import { ReceiveTimeoutError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { chargeCard } from '../test-support/commands.js';
import { startSilentEndpoint } from '../test-support/silent-endpoint.js';
import { waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

describe('createSqsConsumer on a half-open connection (sqs-consumer #130)', () => {
  it('bounds every receive, reports the stall, keeps polling, and still stops', async () => {
    // An "SQS endpoint" that accepts TCP connections and never answers a byte.
    const endpoint = await startSilentEndpoint();
    const sqs = endpoint.client();
    try {
      const events: WorkerErrorEvent[] = [];
      const consumer = createSqsConsumer({
        observer: { error: (event) => events.push(event) },
        client: sqs,
        queueUrl: `${endpoint.url}/000000000000/stalled`,
        pollers: 1,
        waitTimeSeconds: 1,
        receiveTimeoutMs: 2000,
        snapshotIntervalMs: 0,
        metrics: false,
        commands: [handleCommand(chargeCard, () => {})],
      });
      consumer.start();
      await waitUntil(() => events.length >= 2, 'two receive timeouts reported', 30_000);
      const result = await consumer.stop({ timeoutMs: 1_000 });
      expect(result).toEqual({ drained: true, released: 0, abandoned: 0 });
      expect(events.slice(0, 2).map((event) => [event.stage, event.error instanceof ReceiveTimeoutError])).toEqual([
        ['receive', true],
        ['receive', true],
      ]);
      expect(consumer.stats().receiveCalls).toBeGreaterThanOrEqual(2);
      expect(endpoint.connections()).toBeGreaterThanOrEqual(2);
    } finally {
      await endpoint.close();
    }
  });
});
