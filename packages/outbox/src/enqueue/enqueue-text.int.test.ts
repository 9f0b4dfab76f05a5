import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxInputError } from '../errors.js';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

const lone = String.fromCharCode(0xd800);

describe('enqueue refuses text Postgres or SQS would refuse', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      'U+0000 in an attribute value',
      { destination: 'd', body: 1, attributes: { a: 'x\u0000y' } },
      'message.attributes.a',
    ],
    ['an unpaired surrogate in the body', { destination: 'd', body: { s: `a${lone}b` } }, 'message.body'],
    ['an unpaired surrogate in a body key', { destination: 'd', body: { [`k${lone}`]: 1 } }, 'message.body'],
    [
      'an unpaired surrogate in an attribute value',
      { destination: 'd', body: 1, attributes: { a: `x${lone}` } },
      'message.attributes.a',
    ],
    ['U+FFFF in the body', { destination: 'd', body: { s: 'a\uffffb' } }, 'message.body'],
    [
      'U+FFFE in an attribute value',
      { destination: 'd', body: 1, attributes: { a: 'a\ufffe' } },
      'message.attributes.a',
    ],
    [
      'a control character in an attribute value',
      { destination: 'd', body: 1, attributes: { a: 'a\u0001' } },
      'message.attributes.a',
    ],
    [
      'a number attribute SQS cannot hold',
      { destination: 'd', body: 1, attributes: { n: 1e300 } },
      'message.attributes.n',
    ],
    ['U+0000 in the destination', { destination: 'd\u0000', body: 1 }, 'message.destination'],
    ['an unpaired surrogate in the group key', { destination: 'd', groupKey: `g${lone}`, body: 1 }, 'message.groupKey'],
  ];

  for (const [name, message, field] of cases) {
    it(`${name}: typed error naming ${field}, nothing written, the caller's transaction still commits`, async () => {
      const note = `text-${field}-${name}`;
      const error = await f.db.transaction().execute(async (trx) => {
        const caught = await f.outbox.enqueue(trx, message as never).catch((e: unknown) => e);
        // The caller's transaction is not aborted: more work, then commit.
        await trx.withSchema(f.schema).insertInto('orders').values({ note }).execute();
        return caught;
      });
      expect(error).toBeInstanceOf(OutboxInputError);
      expect((error as OutboxInputError).field).toBe(field);
      const orders = await f.app.selectFrom('orders').select('note').where('note', '=', note).execute();
      expect(orders).toHaveLength(1);
      const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${f.outbox.table.ref}`.execute(f.db);
      expect(rows[0]?.n).toBe('0');
    });
  }

  it('keeps text that only looks like an escape (a backslash followed by u0000)', async () => {
    const body = { s: '\\u0000 and \\ud800 are just text here' };
    const [id] = await f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination: 'd', body }));
    const { rows } = await sql<{
      body: unknown;
    }>`SELECT body FROM ${f.outbox.table.ref} WHERE id = ${id}::bigint`.execute(f.db);
    expect(rows[0]?.body).toEqual(body);
    await sql`DELETE FROM ${f.outbox.table.ref}`.execute(f.db);
  });

  it('requeueDead refuses a filter Postgres would refuse, with a typed error', async () => {
    await expect(f.outbox.requeueDead(f.db, { destination: 'd\u0000' })).rejects.toMatchObject({
      field: 'filter.destination',
    });
    await expect(f.outbox.requeueDead(f.db, { groupKey: `g${lone}` })).rejects.toBeInstanceOf(OutboxInputError);
  });

  it('requeueDead names the bad id (core fieldPath) and refuses ids beyond bigint before any SQL, in a transaction that stays usable', async () => {
    await expect(f.outbox.requeueDead(f.db, { ids: ['1', 'x'] })).rejects.toMatchObject({
      code: 'OUTBOX_INVALID_INPUT',
      httpStatus: 400,
      field: 'filter.ids[1]',
    });
    await expect(f.outbox.requeueDead(f.db, null as never)).rejects.toMatchObject({ field: 'filter' });
    await expect(f.outbox.requeueDead(f.db, { ids: '1' as never })).rejects.toMatchObject({ field: 'filter.ids' });
    const usable = await f.db.transaction().execute(async (trx) => {
      const caught = await f.outbox.requeueDead(trx, { ids: ['9223372036854775808'] }).catch((e: unknown) => e);
      expect(caught).toMatchObject({ field: 'filter.ids[0]' });
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(trx);
      return rows[0]?.one;
    });
    expect(usable).toBe(1);
    expect(await f.outbox.requeueDead(f.db, { ids: ['9223372036854775807'] })).toBe(0);
  });
});
