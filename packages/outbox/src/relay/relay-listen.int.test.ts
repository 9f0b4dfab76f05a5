import { createServer, type Server, type Socket } from 'node:net';
import { createTestQueue } from '@checkout/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxFixture, eventually, type OutboxFixture, receiveAll } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
let server: Server;
let port = 0;
let connections = 0;
const sockets: Socket[] = [];
beforeAll(async () => {
  f = await createOutboxFixture();
  // A LISTEN endpoint that accepts TCP and never answers (a hung proxy, a half-open connection).
  server = createServer((socket) => {
    connections += 1;
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await f.close();
});

describe('a LISTEN endpoint that accepts and never answers', () => {
  it('does not stop publishing: the relay polls meanwhile, reports the hung connection, retries it, and stops promptly', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `listen-${queue.name}`;
    const errors: unknown[] = [];
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
      listen: { connectionString: `postgres://user:secret@127.0.0.1:${port}/db`, connectionTimeoutMillis: 300 },
      pollIntervalMs: 50,
      observer: { error: (error) => errors.push(error) },
    });
    await relay.start();
    try {
      await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, body: { n: 1 } }));
      expect(await receiveAll(f.sqs, queue.queueUrl, 1, 15_000)).toHaveLength(1);
      // The hung connection is given up on (and reported), then tried again in the background.
      await eventually(() => errors.length > 0 && connections >= 2, 15_000);
    } finally {
      const began = Date.now();
      await relay.stop();
      expect(Date.now() - began).toBeLessThan(10_000);
    }
  }, 40_000);

  it('with a plain connection string (default bounds) publishing starts at once too', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `listen2-${queue.name}`;
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
      listen: `postgres://user:secret@127.0.0.1:${port}/db`,
      pollIntervalMs: 50,
    });
    await relay.start();
    try {
      await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, body: { n: 2 } }));
      expect(await receiveAll(f.sqs, queue.queueUrl, 1, 15_000)).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  }, 40_000);
});
