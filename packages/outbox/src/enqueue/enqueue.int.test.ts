import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxInputError, OutboxMessageTooLargeError, OutboxNotInTransactionError } from '../errors.js';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture({ maxMessageBytes: 2048 });
});
afterAll(async () => {
  await f.close();
});

async function outboxRows() {
  const { rows } = await sql<{ id: string; destination: string; group_key: string | null; body: unknown }>`
    SELECT o.id::text, destination, group_key, body FROM ${f.outbox.table.ref} o ORDER BY o.id`.execute(f.db);
  return rows;
}

describe('enqueue', () => {
  it('commit leaves every row with the business write; ids come back in order', async () => {
    const before = (await outboxRows()).length;
    const ids = await f.db.transaction().execute(async (trx) => {
      await trx.withSchema(f.schema).insertInto('orders').values({ note: 'committed' }).execute();
      return f.outbox.enqueue(trx, [
        { destination: 'commands', groupKey: 'order-1', body: { type: 'AuthorizePayment', n: 1 } },
        {
          destination: 'commands',
          groupKey: 'order-1',
          body: { type: 'ReserveInventory', n: 2 },
          attributes: { kind: 'x', v: 2 },
        },
        { destination: 'events', body: 'plain string' },
      ]);
    });
    expect(ids).toHaveLength(3);
    expect(ids.map(BigInt)).toEqual([...ids.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
    const rows = await outboxRows();
    expect(rows.length - before).toBe(3);
    expect(rows.filter((r) => ids.includes(r.id)).map((r) => r.body)).toEqual([
      { type: 'AuthorizePayment', n: 1 },
      { type: 'ReserveInventory', n: 2 },
      'plain string',
    ]);
  });

  it('rollback leaves no row (and no business write)', async () => {
    const before = (await outboxRows()).length;
    await expect(
      f.db.transaction().execute(async (trx) => {
        await trx.withSchema(f.schema).insertInto('orders').values({ note: 'rolled back' }).execute();
        await f.outbox.enqueue(trx, { destination: 'commands', groupKey: 'order-2', body: { n: 1 } });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect((await outboxRows()).length).toBe(before);
    const orders = await f.app.selectFrom('orders').select('note').where('note', '=', 'rolled back').execute();
    expect(orders).toEqual([]);
  });

  it('refuses a Kysely instance that is not a transaction', async () => {
    await expect(
      f.outbox.enqueue(f.db as unknown as Transaction<unknown>, { destination: 'd', body: 1 }),
    ).rejects.toBeInstanceOf(OutboxNotInTransactionError);
  });

  it('validates every message before writing anything, naming the field', async () => {
    const before = (await outboxRows()).length;
    const attempt = (messages: unknown) =>
      f.db.transaction().execute((trx) => f.outbox.enqueue(trx, messages as never));
    const cases: Array<[unknown, string]> = [
      [
        [
          { destination: 'ok', body: 1 },
          { destination: '', body: 1 },
        ],
        'messages[1].destination',
      ],
      [[{ destination: 'ok', body: 1, groupKey: 'has space' }], 'messages[0].groupKey'],
      [{ destination: 'ok', body: 1, delaySeconds: 901 }, 'message.delaySeconds'],
      [{ destination: 'ok', body: 10n }, 'message.body'],
      [{ destination: 'ok', body: undefined }, 'message.body'],
      [{ destination: 'ok', body: 'a\u0000b' }, 'message.body'],
      [{ destination: 'ok', body: 1, attributes: { 'AWS.trace': 'x' } }, 'message.attributes["AWS.trace"]'],
      [{ destination: 'ok', body: 1, attributes: { n: Number.NaN } }, 'message.attributes.n'],
    ];
    for (const [messages, field] of cases) {
      const error = await attempt(messages).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutboxInputError);
      expect((error as OutboxInputError).field).toBe(field);
      expect((error as OutboxInputError).code).toBe('OUTBOX_INVALID_INPUT');
    }
    const tooBig = await attempt([{ destination: 'ok', body: 'x'.repeat(3000) }]).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(OutboxMessageTooLargeError);
    expect(tooBig).toMatchObject({ field: 'messages[0]', limitBytes: 2048, code: 'OUTBOX_MESSAGE_TOO_LARGE' });
    expect((await outboxRows()).length).toBe(before);
  });

  it('stores hostile-looking text as data (parameters, never interpolated)', async () => {
    const evil = `'); DROP TABLE ${f.schema}.orders; --`;
    const [id] = await f.db
      .transaction()
      .execute((trx) => f.outbox.enqueue(trx, { destination: 'd', groupKey: 'o\'1"', body: { evil } }));
    const row = (await outboxRows()).find((r) => r.id === id);
    expect(row).toMatchObject({ group_key: 'o\'1"', body: { evil } });
    expect(await f.app.selectFrom('orders').select('id').execute()).toBeDefined();
  });
});
