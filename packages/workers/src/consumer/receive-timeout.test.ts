import { createServer, type Socket } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ReceiveTimeoutError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import type { WorkerErrorEvent } from '../processing/worker-error.js';
import { chargeCard } from '../test-support/commands.js';
import { waitUntil } from '../test-support/sqs-helpers.js';
import { createSqsConsumer } from './sqs-consumer.js';

describe('createSqsConsumer on a half-open connection (sqs-consumer #130)', () => {
  it('bounds every receive, reports the stall, keeps polling, and still stops', async () => {
    // An "SQS endpoint" that accepts TCP connections and never answers a byte.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    });
    let connections = 0;
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const events: WorkerErrorEvent[] = [];
      const consumer = createSqsConsumer({
        client: sqs,
        queueUrl: `http://127.0.0.1:${port}/000000000000/stalled`,
        pollers: 1,
        waitTimeSeconds: 1,
        receiveTimeoutSeconds: 2,
        snapshotIntervalSeconds: 0,
        metrics: false,
        commands: [handleCommand(chargeCard, () => {})],
      });
      consumer.on('error', (event) => events.push(event));
      consumer.start();
      await waitUntil(() => events.length >= 2, 'two receive timeouts reported', 30_000);
      const result = await consumer.stop({ timeoutMs: 1_000 });
      expect(result).toEqual({ drained: true, released: 0, abandoned: 0 });
      expect(events.slice(0, 2).map((event) => [event.stage, event.error instanceof ReceiveTimeoutError])).toEqual([
        ['receive', true],
        ['receive', true],
      ]);
      expect(consumer.stats().receiveCalls).toBeGreaterThanOrEqual(2);
      expect(connections).toBeGreaterThanOrEqual(2);
    } finally {
      sqs.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
