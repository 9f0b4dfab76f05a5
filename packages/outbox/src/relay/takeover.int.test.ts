import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createTestQueue, type TestQueue } from '@checkout/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import {
  createOutboxFixture,
  drain,
  eventually,
  type OutboxFixture,
  receiveAll,
} from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

type Child = ChildProcessByStdio<null, Readable, null>;

/** Starts the child relay and resolves once it printed `holding` (it sent one wave and now hangs mid-batch). */
async function startChildRelay(queue: TestQueue, destination: string, claimTimeoutMs: number) {
  const script = fileURLToPath(new URL('../test-support/relay-child.ts', import.meta.url));
  const config = {
    postgresUrl: f.stack.postgres.url,
    schema: f.schema,
    sqs: f.stack.sqs.clientConfig,
    queueUrl: queue.queueUrl,
    destination,
    claimTimeoutMs,
  };
  const child: Child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@checkout/source', script, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: Array<{ sent?: string[]; holding?: string[] }> = [];
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const parts = out.split('\n');
      out = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as { sent?: string[]; holding?: string[] };
        lines.push(line);
        if (line.holding !== undefined) resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`child relay exited early with ${code}`)));
  });
  child.removeAllListeners('exit');
  return { child, sent: lines[0]?.sent ?? [], holding: lines[1]?.holding ?? [] };
}

async function enqueueGroups(destination: string, groups: number, perGroup: number, prefix: string) {
  return f.db.transaction().execute((trx) =>
    f.outbox.enqueue(
      trx,
      Array.from({ length: groups * perGroup }, (_, i) => ({
        destination,
        groupKey: `${prefix}${i % groups}`,
        body: { g: `${prefix}${i % groups}`, seq: Math.floor(i / groups) },
      })),
    ),
  );
}

function expectGroupOrder(received: ReadonlyArray<{ body: string }>, groups: number, perGroup: number, prefix: string) {
  for (let g = 0; g < groups; g += 1) {
    const seqs = received
      .map((m) => JSON.parse(m.body) as { g: string; seq: number })
      .filter((m) => m.g === `${prefix}${g}`)
      .map((m) => m.seq);
    expect(seqs, `${prefix}${g}`).toEqual(Array.from({ length: perGroup }, (_, i) => i));
  }
}

describe.skipIf(process.platform === 'win32')('takeover of a dead or hung relay', () => {
  it('a relay process SIGKILLed mid-batch: another relay publishes its rows at once, nothing lost, order kept', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = `kill-${queue.name}`;
    const ids = await enqueueGroups(destination, 6, 4, 'k');
    const { child, sent, holding } = await startChildRelay(queue, destination, 60_000);
    expect(sent).toHaveLength(6); // the first row of every group reached SQS
    expect(holding).toHaveLength(6); // the second wave is in flight when we kill it

    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
      claimTimeoutMs: 60_000,
    });
    // While the child lives, its groups are locked: we get nothing.
    expect((await relay.runOnce()).published).toBe(0);
    child.kill('SIGKILL');
    // Its connection drops, its locks go with it; no lease to wait out (claim timeout is 60 s here).
    let published = 0;
    await eventually(async () => {
      published += (await relay.runUntilIdle()).published;
      return published === ids.length;
    }, 20_000);
    const received = await receiveAll(f.sqs, queue.queueUrl, ids.length);
    // At least once: the child's first wave is re-sent, and SQS FIFO deduplicates it by row id.
    expect(new Set(received.map((m) => m.dedupId))).toEqual(new Set(ids));
    expectGroupOrder(received, 6, 4, 'k');
    expect(await f.outbox.stats(f.db)).toMatchObject({ pending: 0 });
  });

  it('a relay process stopped with SIGSTOP does not block its groups beyond the claim timeout', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = `stop-${queue.name}`;
    const ids = await enqueueGroups(destination, 5, 3, 's');
    const claimTimeoutMs = 2_000;
    const { child } = await startChildRelay(queue, destination, claimTimeoutMs);
    child.kill('SIGSTOP');
    try {
      const relay = createOutboxRelay({
        db: f.db,
        outbox: f.outbox,
        publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
        claimTimeoutMs,
      });
      // Other groups are not blocked by the hung relay.
      const freeIds = await enqueueGroups(destination, 2, 2, 'free');
      expect(await drain(relay, freeIds.length, 10_000)).toBe(freeIds.length);
      // The hung relay's groups come free when Postgres ends its idle transaction.
      const began = Date.now();
      let published = 0;
      await eventually(async () => {
        published += (await relay.runUntilIdle()).published;
        return published === ids.length;
      }, 30_000);
      expect(Date.now() - began).toBeLessThan(25_000);
      const received = await receiveAll(f.sqs, queue.queueUrl, ids.length + freeIds.length);
      expect(new Set(received.map((m) => m.dedupId))).toEqual(new Set([...ids, ...freeIds]));
      expectGroupOrder(received, 5, 3, 's');
      expect(await f.outbox.stats(f.db)).toMatchObject({ pending: 0 });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
