import { createTestQueue } from '@checkout/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMessageTooLargeError } from '../errors.js';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxFixture, eventually, type OutboxFixture, receiveAll } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

const MiB = 1_048_576;

/** A 1 MiB body of multibyte text: exactly at the limit as JSON.stringify writes it. */
function multibyteBody(): unknown {
  const frame = Buffer.byteLength(JSON.stringify({ s: '' }));
  const ascii = (MiB - frame) % 2;
  return { s: `${'é'.repeat((MiB - frame - ascii) / 2)}${'x'.repeat(ascii)}` };
}

describe('the size rule: what is measured is exactly what is sent', () => {
  const bodies: Array<[string, () => unknown]> = [
    ['1 MiB of multibyte text (jsonb would add a space)', multibyteBody],
    [
      'an 800 KB integer array (jsonb would add a space per element)',
      () => Array.from({ length: 160_000 }, (_, i) => 1000 + (i % 9000)),
    ],
    ['140 KB of 1e300 (jsonb would write 301 digits each)', () => Array.from({ length: 20_000 }, () => 1e300)],
  ];

  for (const [name, make] of bodies) {
    it(`${name}: accepted at enqueue, published with the same bytes`, async () => {
      const queue = await createTestQueue(f.stack.sqs);
      const destination = `size-${queue.name}`;
      const body = make();
      const text = JSON.stringify(body);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MiB);
      const [id] = await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination, body }));
      const relay = createOutboxRelay({
        db: f.db,
        outbox: f.outbox,
        publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
        maxAttempts: 1,
      });
      await eventually(async () => {
        await relay.runUntilIdle();
        const { rows } = await sql<{ status: string }>`
          SELECT status FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
        return rows[0]?.status !== 'pending';
      }, 20_000);
      const { rows } = await sql<{ status: string; last_error: string | null }>`
        SELECT status, last_error FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
      expect(rows[0]).toEqual({ status: 'sent', last_error: null });
      const [received] = await receiveAll(f.sqs, queue.queueUrl, 1);
      expect(received?.body).toBe(text);
    });
  }

  it('counts attributes as SQS does (name + data type + value) against the limit', async () => {
    const body = 'x'.repeat(MiB - 2 - 22);
    const attempt = (attributes: Record<string, string | number>) =>
      f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination: 'd', body, attributes }));
    // body 1,048,554 bytes (with its quotes) + "k" (1) + "String" (6) + value: 15 bytes fit exactly, 16 do not.
    await expect(attempt({ k: 'v'.repeat(16) })).rejects.toBeInstanceOf(OutboxMessageTooLargeError);
    await expect(attempt({ k: 'v'.repeat(15) })).resolves.toHaveLength(1);
    await sql`DELETE FROM ${f.outbox.table.ref}`.execute(f.db);
  });
});
