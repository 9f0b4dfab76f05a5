import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxPublishTimeoutError } from '../errors.js';
import type { OutboxPublisher } from '../publishers/publisher.js';
import { createOutboxFixture, type OutboxFixture, outboxRow } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

const rowOf = (id: string) => outboxRow(f, id);

describe('a publish that hangs', () => {
  const publishers: Array<[string, OutboxPublisher]> = [
    ['ignores the abort signal', { publish: () => new Promise(() => {}) }],
    [
      'hangs until the abort signal',
      {
        publish: (_entries, signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
      },
    ],
  ];
  for (const [name, publisher] of publishers) {
    it(`${name}: runOnce() settles by the round deadline, the attempt is counted, reported and kept as last_error`, async () => {
      const [id] = await f.db
        .transaction()
        .execute((trx) =>
          f.outbox.enqueue(trx, { destination: 'hang', groupKey: `hang-${name.split(' ')[0]}`, body: 1 }),
        );
      const errors: unknown[] = [];
      const relay = createOutboxRelay({
        db: f.db,
        outbox: f.outbox,
        publisher,
        claimTimeoutMs: 1_000,
        observer: { error: (error) => errors.push(error) },
      });
      let round = await relay.runOnce();
      // Other test files share the cluster and may hold the visibility fence for a moment.
      for (let i = 0; i < 50 && round.claimed === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        round = await relay.runOnce();
      }
      expect(round).toMatchObject({ claimed: 1, published: 0, failed: 1 });
      expect(errors.some((error) => error instanceof OutboxPublishTimeoutError)).toBe(true);
      const row = await rowOf(id as string);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row?.last_error).toMatch(/no outcome within/);
      await sql`DELETE FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
    }, 30_000);
  }
});
