import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, StateMachineInputError } from '../errors.js';
import { orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';

// Text Postgres cannot store (U+0000) or cannot keep apart (unpaired surrogates, which the driver
// encodes as U+FFFD) must be refused before any SQL: a failing statement would abort the caller's
// transaction, and a silently merged id would turn a new event into a "replay".
let t: TestDb;
let store: StateStore<typeof orderMachine, TestDatabase>;
let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${++sequence}`;

beforeAll(async () => {
  t = await openTestDb();
  await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (
    id text PRIMARY KEY, customer_id text NOT NULL, total_cents integer NOT NULL)`.execute(t.db);
  await migrate(t.db, { schema: t.schema, aggregateTable: 'orders' });
  store = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'orders' });
});
afterAll(async () => {
  await t?.close();
});

async function newOrder(): Promise<string> {
  const id = nextId('order');
  await t.db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id, customer_id: 'c-1', total_cents: 4200 }).execute();
    await store.create(trx, { id, eventId: `create:${id}`, actor: 'checkout-api' });
  });
  return id;
}

/** Runs `bad` inside a transaction, expects a typed refusal, then does more work in that transaction and commits. */
async function refusedThenCommit(
  id: string,
  bad: (trx: Transaction<TestDatabase>) => Promise<unknown>,
): Promise<unknown> {
  let refusal: unknown;
  await t.db.transaction().execute(async (trx) => {
    refusal = await bad(trx).then(
      () => 'no error',
      (error: unknown) => error,
    );
    // The transaction must still be usable: a valid change after the refusal commits.
    await store.apply(trx, { id, event: 'attention.requested', eventId: nextId('after'), actor: 'test' });
  });
  expect(await store.get(t.db, id)).toMatchObject({ state: 'NEEDS_ATTENTION', version: 2 });
  return refusal;
}

const NUL = 'a\u0000b';
const LONE_HIGH = 'a\ud800b';
const LONE_LOW = 'a\udc00b';

describe('text Postgres cannot store or keep apart is refused before any SQL', () => {
  const textCases: Array<[string, Record<string, unknown>]> = [
    ['id', { id: NUL }],
    ['id', { id: LONE_HIGH }],
    ['eventId', { eventId: NUL }],
    ['eventId', { eventId: LONE_LOW }],
    ['actor', { actor: NUL }],
    ['actor', { actor: LONE_HIGH }],
    ['reason', { reason: NUL }],
    ['reason', { reason: `${'\udc00'}trailing` }],
    ['payload', { payload: NUL }],
    ['payload.note', { payload: { note: NUL } }],
    ['payload.lines[2].sku', { payload: { lines: [{ sku: 'a' }, { sku: 'b' }, { sku: LONE_HIGH }] } }],
    ['payload.lines[0]', { payload: { lines: [{ [NUL]: 1 }] } }],
    ['payload.meta', { payload: { meta: { [LONE_LOW]: 'x' } } }],
    ['payload[1]', { payload: ['ok', '\ud83d'] }],
  ];

  it.each(textCases)('apply: %s', async (field, override) => {
    const id = await newOrder();
    const refusal = await refusedThenCommit(id, (trx) =>
      store.apply(trx, {
        id,
        event: 'payment.authorized',
        eventId: nextId('bad'),
        actor: 'worker',
        ...override,
      } as Parameters<typeof store.apply>[1]),
    );
    expect(refusal).toBeInstanceOf(StateMachineInputError);
    expect(refusal).toMatchObject({ field, code: 'STATE_MACHINE_INVALID_INPUT', httpStatus: 400 });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(2);
  });

  it.each(textCases)('force: %s', async (field, override) => {
    const id = await newOrder();
    const refusal = await refusedThenCommit(id, (trx) =>
      store.force(trx, {
        id,
        to: 'CANCELLED',
        eventId: nextId('bad'),
        actor: 'support:alice',
        reason: 'repair',
        ...override,
      } as Parameters<typeof store.force>[1]),
    );
    expect(refusal).toMatchObject({ field, code: 'STATE_MACHINE_INVALID_INPUT' });
  });

  it.each(textCases)('create: %s', async (field, override) => {
    const id = await newOrder();
    const refusal = await refusedThenCommit(id, (trx) =>
      store.create(trx, { id: nextId('new'), eventId: nextId('bad'), actor: 'api', ...override } as Parameters<
        typeof store.create
      >[1]),
    );
    expect(refusal).toMatchObject({ field, code: 'STATE_MACHINE_INVALID_INPUT' });
  });

  it('get and history refuse such an id too, also inside a transaction that then commits', async () => {
    for (const bad of [NUL, LONE_HIGH]) {
      const id = await newOrder();
      await expect(store.get(t.db, bad)).rejects.toMatchObject({ field: 'id', code: 'STATE_MACHINE_INVALID_INPUT' });
      await expect(store.history(t.db, bad)).rejects.toMatchObject({
        field: 'id',
        code: 'STATE_MACHINE_INVALID_INPUT',
      });
      const refusal = await refusedThenCommit(id, async (trx) => {
        await store.get(trx, bad).catch(() => undefined);
        return store.history(trx, bad);
      });
      expect(refusal).toMatchObject({ field: 'id', code: 'STATE_MACHINE_INVALID_INPUT' });
    }
  });

  it.each([
    ['create', null],
    ['apply', undefined],
    ['force', null],
    ['apply', 'order-1'],
  ] as const)('%s with no input object (%s) is a typed refusal, and the transaction goes on', async (method, bad) => {
    const id = await newOrder();
    const refusal = await refusedThenCommit(id, (trx) => store[method](trx, bad as never));
    expect(refusal).toBeInstanceOf(StateMachineInputError);
    expect(refusal).toMatchObject({ field: 'input', code: 'STATE_MACHINE_INVALID_INPUT' });
  });

  it('event ids that differ only in an unpaired surrogate are not merged into one (the second is no replay)', async () => {
    const id = await newOrder();
    const first = await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'payment.authorized', eventId: 'msg-\ud800', actor: 'w' }))
      .catch((error: unknown) => error);
    expect(first).toMatchObject({ field: 'eventId', code: 'STATE_MACHINE_INVALID_INPUT' });
    const second = await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'payment.authorized', eventId: 'msg-\udbff', actor: 'w' }))
      .catch((error: unknown) => error);
    expect(second).toMatchObject({ field: 'eventId', code: 'STATE_MACHINE_INVALID_INPUT' });
    expect(await t.count('checkout_audit_events', `aggregate_id = '${id}'`)).toBe(1);
    // Well-formed text outside the BMP is fine and kept exactly.
    const emoji = await t.db
      .transaction()
      .execute((trx) => store.apply(trx, { id, event: 'payment.authorized', eventId: 'msg-😀', actor: 'wörker' }));
    expect((await store.history(t.db, id)).at(-1)).toMatchObject({ eventId: 'msg-😀', actor: 'wörker' });
    expect(emoji.applied).toBe(true);
  });
});

describe('create before your row exists', () => {
  it('on a table with NOT NULL columns: StateMachineInputError naming them, and the transaction goes on', async () => {
    const id = await newOrder();
    const missing = nextId('no-row');
    const refusal = await refusedThenCommit(id, (trx) =>
      store.create(trx, { id: missing, eventId: 'c', actor: 'api' }),
    );
    expect(refusal).toMatchObject({ code: 'STATE_MACHINE_INVALID_INPUT', field: 'id' });
    expect((refusal as Error).message).toContain('customer_id, total_cents');
    expect(await t.count('orders', `id = '${missing}'`)).toBe(0);
  });
});

describe('payload values jsonb cannot hold', () => {
  const cases: Array<[string, unknown]> = [
    ['payload.amount', { amount: Number.NaN }],
    ['payload.amount', { amount: Number.POSITIVE_INFINITY }],
    ['payload.lines[1].qty', { lines: [{ qty: 1 }, { qty: Number.NEGATIVE_INFINITY }] }],
    ['payload.total', { total: 10n }],
    ['payload.callback', { callback: () => 1 }],
    ['payload.tag', { tag: Symbol('x') }],
    ['payload', deeplyNested(101)],
  ];
  it.each(cases)('%s', async (field, payload) => {
    const id = await newOrder();
    const refusal = await refusedThenCommit(id, (trx) =>
      store.apply(trx, {
        id,
        event: 'payment.authorized',
        eventId: nextId('bad'),
        actor: 'w',
        payload: payload as never,
      }),
    );
    expect(refusal).toMatchObject({ code: 'STATE_MACHINE_INVALID_INPUT', field: expect.stringMatching(/^payload/) });
    expect((refusal as StateMachineInputError).field.startsWith(field)).toBe(true);
  });

  it('a cyclic payload is refused with the path of the cycle', async () => {
    const id = await newOrder();
    const cyclic: Record<string, unknown> = { a: { b: {} } };
    (cyclic.a as { b: Record<string, unknown> }).b.back = cyclic;
    const refusal = await refusedThenCommit(id, (trx) =>
      store.apply(trx, { id, event: 'payment.authorized', eventId: 'c', actor: 'w', payload: cyclic as never }),
    );
    expect(refusal).toMatchObject({ code: 'STATE_MACHINE_INVALID_INPUT', field: 'payload.a.b.back' });
  });

  it('accepts a payload 100 levels deep', async () => {
    const id = await newOrder();
    const result = await t.db.transaction().execute((trx) =>
      store.apply(trx, {
        id,
        event: 'payment.authorized',
        eventId: 'deep',
        actor: 'w',
        payload: deeplyNested(100) as never,
      }),
    );
    expect(result.applied).toBe(true);
  });
});

describe('an id that cannot be a key of a non-text aggregate table', () => {
  let invoices: StateStore<typeof orderMachine, TestDatabase>;
  let parcels: StateStore<typeof orderMachine, TestDatabase>;
  beforeAll(async () => {
    await sql`CREATE TABLE ${sql.id(t.schema, 'invoices')} (id bigint PRIMARY KEY)`.execute(t.db);
    await migrate(t.db, { schema: t.schema, aggregateTable: 'invoices', auditTable: 'invoice_audit' });
    invoices = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'invoices',
      auditTable: 'invoice_audit',
    });
    await sql`CREATE TABLE ${sql.id(t.schema, 'parcels')} (parcel_id uuid PRIMARY KEY)`.execute(t.db);
    await migrate(t.db, {
      schema: t.schema,
      aggregateTable: 'parcels',
      idColumn: 'parcel_id',
      auditTable: 'parcel_audit',
    });
    parcels = createStateStore({
      machine: orderMachine,
      schema: t.schema,
      aggregateTable: 'parcels',
      idColumn: 'parcel_id',
      auditTable: 'parcel_audit',
    });
  });

  it('integer key: a non-numeric or out-of-range id is NotFoundError, and the transaction goes on', async () => {
    await t.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ${sql.id(t.schema, 'invoices')} (id) VALUES (42)`.execute(trx);
      await invoices.create(trx, { id: '42', eventId: 'c-42', actor: 'api' });
    });
    for (const bad of ['abc', '4 2', '1e3', '0x2a', '99999999999999999999']) {
      await expect(invoices.get(t.db, bad)).rejects.toBeInstanceOf(NotFoundError);
    }
    await t.db.transaction().execute(async (trx) => {
      for (const bad of ['abc', '42abc', '9223372036854775808']) {
        await expect(invoices.get(trx, bad)).rejects.toBeInstanceOf(NotFoundError);
        await expect(
          invoices.apply(trx, { id: bad, event: 'payment.authorized', eventId: `a-${bad}`, actor: 'w' }),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expect(
          invoices.force(trx, { id: bad, to: 'CANCELLED', eventId: `f-${bad}`, actor: 's', reason: 'r' }),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expect(invoices.create(trx, { id: bad, eventId: `c-${bad}`, actor: 'api' })).rejects.toMatchObject({
          code: 'STATE_MACHINE_INVALID_INPUT',
          field: 'id',
        });
        expect(await invoices.history(trx, bad)).toEqual([]);
      }
      await invoices.apply(trx, { id: '42', event: 'payment.authorized', eventId: 'a-42', actor: 'w' });
    });
    expect(await invoices.get(t.db, '42')).toMatchObject({ id: '42', state: 'PAYMENT_AUTHORIZED', version: 2 });
    expect(await invoices.get(t.db, '-0042').catch((error: unknown) => error)).toBeInstanceOf(NotFoundError);
  });

  it('uuid key: a malformed id is NotFoundError, and the transaction goes on', async () => {
    const id = '0b6c9a3e-6a43-4f7b-9d0e-2b1f6f1c0a11';
    await t.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ${sql.id(t.schema, 'parcels')} (parcel_id) VALUES (${id})`.execute(trx);
      await parcels.create(trx, { id, eventId: 'c-1', actor: 'api' });
      await expect(parcels.get(trx, 'not-a-uuid')).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        parcels.apply(trx, { id: `${id}0`, event: 'payment.authorized', eventId: 'x', actor: 'w' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await parcels.apply(trx, { id, event: 'payment.authorized', eventId: 'a-1', actor: 'w' });
    });
    expect(await parcels.get(t.db, id)).toMatchObject({ state: 'PAYMENT_AUTHORIZED' });
    // Forms Postgres reads as the same uuid find the row.
    expect(await parcels.get(t.db, id.toUpperCase())).toMatchObject({ id, state: 'PAYMENT_AUTHORIZED' });
  });
});

function deeplyNested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { v: value };
  return value;
}
