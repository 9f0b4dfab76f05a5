import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture({ poolSize: 16 });
});
afterAll(async () => {
  await f.close();
});

describe('cleanup', () => {
  it('is safe from many places at once: 8 parallel cleanups over 40,000 rows, no deadlock, every old row gone once', async () => {
    const rows = 40_000;
    // Sent rows in an order unrelated to their ids, so concurrent deletes meet rows in different orders.
    await sql`INSERT INTO ${f.outbox.table.ref} (destination, body, status, sent_at)
      SELECT 'd', '1', 'sent', now() - interval '2 days' + make_interval(secs => (i * 7919) % ${rows})
      FROM generate_series(1, ${rows}) i`.execute(f.db);
    await sql`INSERT INTO ${f.outbox.table.ref} (destination, body, status, sent_at)
      SELECT 'd', '1', 'sent', now() FROM generate_series(1, 100) i`.execute(f.db);
    await sql`INSERT INTO ${f.outbox.table.ref} (destination, body) SELECT 'd', '1' FROM generate_series(1, 50) i`.execute(
      f.db,
    );
    const results = await Promise.allSettled(
      // Different batch sizes (a relay's timer, a cron job, an operator) give different plans and lock orders.
      [50, 200, 1_000, 5_000, 20_000, 500, 2_000, 10_000].map((batchSize) =>
        f.outbox.cleanup(f.db, { retentionMs: 3_600_000, batchSize, maxBatches: 10_000 }),
      ),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(errors).toEqual([]);
    const deleted = results.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value : 0), 0);
    expect(deleted).toBe(rows);
    const { rows: left } = await sql<{ status: string; n: string }>`
      SELECT status, count(*)::text AS n FROM ${f.outbox.table.ref} GROUP BY status ORDER BY status`.execute(f.db);
    expect(left).toEqual([
      { status: 'pending', n: '50' },
      { status: 'sent', n: '100' },
    ]);
  });
});
