import { createTestQueue } from '@checkout/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { FlakyPublisher } from '../test-support/flaky-publisher.js';
import { createOutboxFixture, drain, type OutboxFixture, receiveAll } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

describe('a round that carries several waves per group', () => {
  it('sends a group row by row in consecutive calls beyond batchSize, and stops the group at its first failure', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = `deep-${queue.name}`;
    const flaky = new FlakyPublisher(createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }));
    // batchSize 2: the claim locks few groups, but takes up to 10 x 2 rows of them in one round.
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: flaky,
      batchSize: 2,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    const perGroup = 12;
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(
        trx,
        Array.from({ length: 3 * perGroup }, (_, i) => ({
          destination,
          groupKey: `d${i % 3}`,
          body: { g: i % 3, seq: Math.floor(i / 3) },
        })),
      ),
    );
    const idOf = (group: number, seq: number) => ids[seq * 3 + group] as string;
    flaky.failTimes(idOf(0, 5), 1); // group d0's sixth row fails once

    let first = await relay.runOnce();
    // Another test file's open transaction may hold the fence for a moment: wait for a real round.
    while (first.published + first.failed === 0) first = await relay.runOnce();
    // More rows than batchSize went out in this one claim, in several calls.
    expect(first.claimed).toBeGreaterThan(2);
    expect(new Set(flaky.log.map((e) => e.call)).size).toBeGreaterThan(2);
    // No call ever held two rows of one group, and within each group the calls went in row order.
    expect(flaky.sameGroupInOneCall).toEqual([]);
    for (let g = 0; g < 3; g += 1) {
      const calls = flaky.log.filter((e) => e.groupKey === `d${g}`);
      const seqs = calls.map((e) => ids.indexOf(e.id));
      expect(seqs, `d${g} offered in id order`).toEqual([...seqs].sort((a, b) => a - b));
      expect(
        calls.map((e) => e.call),
        `d${g}: one row per call, calls in order`,
      ).toEqual([...new Set(calls.map((e) => e.call))].sort((a, b) => a - b));
    }
    // The window's oldest group is d0, and one lock is enough for batchSize 2: the round took d0's
    // rows beyond batchSize, sent rows 0-4 in five calls, and stopped d0 at its failed row 5.
    const d0 = flaky.log.filter((e) => e.groupKey === 'd0');
    expect(d0.map((e) => [e.id, e.ok])).toEqual([
      ...Array.from({ length: 5 }, (_, seq) => [idOf(0, seq), true]),
      [idOf(0, 5), false],
    ]);
    expect(first).toMatchObject({ published: 5, failed: 1 });

    await drain(relay, 3 * perGroup - first.published);
    // Every row accepted exactly once, and each group received from the FIFO queue in order.
    const okCounts = new Map<string, number>();
    for (const entry of flaky.log) if (entry.ok) okCounts.set(entry.id, (okCounts.get(entry.id) ?? 0) + 1);
    for (const id of ids) expect(okCounts.get(id), `row ${id}`).toBe(1);
    const received = await receiveAll(f.sqs, queue.queueUrl, 3 * perGroup);
    expect(received).toHaveLength(3 * perGroup);
    for (let g = 0; g < 3; g += 1) {
      const seqs = received
        .filter((m) => m.groupId === `d${g}`)
        .map((m) => (JSON.parse(m.body) as { seq: number }).seq);
      expect(seqs, `group d${g}`).toEqual(Array.from({ length: perGroup }, (_, i) => i));
    }
    expect(await f.outbox.stats(f.db)).toMatchObject({ pending: 0, dead: 0 });
  });
});
