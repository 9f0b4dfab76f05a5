import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxInputError, OutboxNotInTransactionError } from '../errors.js';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture({ maxMessageBytes: 2048 });
});
afterAll(async () => {
  await f.close();
});

async function inTrx(messages: unknown) {
  return f.db.transaction().execute(async (trx) => {
    let error: unknown;
    try {
      await f.outbox.enqueue(trx, messages as never);
    } catch (e) {
      error = e;
    }
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(trx);
    return { error, usable: rows[0]?.one === 1 };
  });
}

describe('enqueue: hostile message lists and attribute names', () => {
  it('a hole in a sparse messages array is a typed error naming it; the transaction stays usable', async () => {
    // biome-ignore lint/suspicious/noSparseArray: probe
    const r = await inTrx([, { destination: 'd', body: 1 }]);
    expect(r.error).toBeInstanceOf(OutboxInputError);
    expect((r.error as OutboxInputError).message).toContain('messages[0]');
    expect(r.usable).toBe(true);
  });
  it("refuses an attribute name with '..' (SQS would refuse it and the row would block its group)", async () => {
    const r = await inTrx({ destination: 'd', body: 1, attributes: { 'a..b': 'x' } });
    expect(r.error).toBeInstanceOf(OutboxInputError);
    expect((r.error as OutboxInputError).message).toContain('message.attributes["a..b"]');
    expect(r.usable).toBe(true);
  });
  it('keeps an attribute named __proto__ as an attribute (not silently dropped)', async () => {
    const attributes = JSON.parse('{"__proto__":"x"}');
    const [id] = await f.db
      .transaction()
      .execute((trx) => f.outbox.enqueue(trx, { destination: 'd', body: 1, attributes }));
    const { rows } = await sql<{
      attributes: unknown;
    }>`SELECT attributes FROM ${f.outbox.table.ref} WHERE id = ${id}`.execute(f.db);
    expect(rows[0]?.attributes).toEqual(attributes);
  });
  it('a null transaction is OutboxNotInTransactionError, not a TypeError', async () => {
    await expect(f.outbox.enqueue(null as never, { destination: 'd', body: 1 })).rejects.toBeInstanceOf(
      OutboxNotInTransactionError,
    );
  });
  it('reads each field once: a getter cannot pass validation with one value and store another', async () => {
    let reads = 0;
    const message = {
      get destination() {
        reads += 1;
        return reads === 1 ? 'd' : 'bad destination\u0000';
      },
      body: 1,
    };
    const r = await inTrx(message);
    expect(r.error).toBeUndefined();
    expect(r.usable).toBe(true);
    expect(reads).toBe(1);
  });
});
