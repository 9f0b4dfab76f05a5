import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestTimeoutError, WorkersConfigError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { chargeCard } from '../test-support/commands.js';
import { chargeBodies } from '../test-support/consumer-fixtures.js';
import { hangCommands, type SilentEndpoint, startSilentEndpoint } from '../test-support/silent-endpoint.js';
import { depth, recordingClients, sendAll, waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

const stack = useCheckoutStack();
const recording = recordingClients(stack.sqs.clientConfig);
const endpoints: SilentEndpoint[] = [];
afterAll(async () => {
  for (const endpoint of endpoints) await endpoint.close();
});

describe('createSqsConsumer when a non-receive SQS call hangs (real SQS emulator)', () => {
  it('aborts delete and visibility calls after requestTimeoutMs, reports them typed, and still stops', async () => {
    const endpoint = await startSilentEndpoint();
    endpoints.push(endpoint);
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    const { client, count } = recording();
    // Receives work; acknowledgements and retry visibility go to an endpoint that never answers.
    hangCommands(client, endpoint, ['DeleteMessageBatch', 'ChangeMessageVisibility']);
    await sendAll(client, queue.queueUrl, chargeBodies(2));
    const events: WorkerErrorEvent[] = [];
    const consumer = createSqsConsumer({
      observer: { error: (event) => events.push(event) },
      client,
      queueUrl: queue.queueUrl,
      concurrency: 2,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 20,
      heartbeat: false,
      snapshotIntervalMs: 0,
      metrics: false,
      requestTimeoutMs: 1000,
      backoff: { baseMs: 1000, maxMs: 1000 },
      commands: [
        handleCommand(chargeCard, (envelope) => {
          if (envelope.payload.seq === 1) throw new Error('provider down');
        }),
      ],
    });
    consumer.start();
    const timedOut = (stage: string, operation: string) =>
      events.some(
        (event) =>
          event.stage === stage &&
          event.error instanceof RequestTimeoutError &&
          event.error.operation === operation &&
          event.error.code === 'WORKERS_REQUEST_TIMEOUT',
      );
    try {
      await waitUntil(
        () => timedOut('delete', 'DeleteMessageBatch') && timedOut('visibility', 'ChangeMessageVisibility'),
        'delete and visibility timeouts reported',
        20_000,
      );
      expect(count('DeleteMessageBatch')).toBeGreaterThanOrEqual(1);
      expect(consumer.stats()).toMatchObject({ acknowledged: 0, active: 0 });
    } finally {
      const result = await consumer.stop({ timeoutMs: 5_000 });
      expect(result.abandoned).toBe(0);
    }
    // Nothing was deleted: both messages are still in the queue.
    const left = await depth(client, queue.queueUrl);
    expect(left.visible + left.inFlight).toBe(2);
  });

  it('refuses a requestTimeoutMs that is not a positive number up to 300,000', () => {
    for (const requestTimeoutMs of [0, -1, Number.NaN, 300_001]) {
      expect(() =>
        createSqsConsumer({
          queueUrl: 'http://127.0.0.1:1/000000000000/q',
          requestTimeoutMs,
          metrics: false,
          commands: [handleCommand(chargeCard, () => {})],
        }),
      ).toThrow(WorkersConfigError);
    }
  });
});
