import { context, trace } from '@opentelemetry/api';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderMachine } from '../order/order-machine.js';
import { createStateStore, type StateStore } from '../store/state-store.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDatabase, type TestDb } from '../test-support/test-database.js';
import { type InMemoryTracing, registerInMemoryTracing } from '../test-support/tracing.js';

let t: TestDb;
let store: StateStore<typeof orderMachine, TestDatabase>;
let tracing: InMemoryTracing;
beforeAll(async () => {
  t = await openTestDb();
  await sql`CREATE TABLE ${sql.id(t.schema, 'orders')} (id text PRIMARY KEY)`.execute(t.db);
  await migrate(t.db, { schema: t.schema, aggregateTable: 'orders' });
  store = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'orders' });
  tracing = registerInMemoryTracing();
});
afterAll(async () => {
  await tracing.close();
  await t?.close();
});

describe('transition span events', () => {
  it('advance and apply add state_machine.transition with applied, duplicate or not-allowed to the active span', async () => {
    const id = 'traced-1';
    const span = trace.getTracer('test').startSpan('handler');
    await context.with(trace.setSpan(context.active(), span), async () => {
      await t.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO ${sql.id(t.schema, 'orders')} (id) VALUES (${id})`.execute(trx);
        await store.create(trx, { id, eventId: 'create', actor: 'api' });
      });
      const advance = (eventId: string, events: 'payment.authorized' | 'payment.declined') =>
        t.db.transaction().execute((trx) => store.advance(trx, { id, events, eventId, actor: 'w' }));
      expect((await advance('m1', 'payment.authorized')).outcome).toBe('applied');
      expect((await advance('m1', 'payment.authorized')).outcome).toBe('duplicate');
      expect((await advance('m2', 'payment.declined')).outcome).toBe('not-allowed');
    });
    span.end();
    const events = tracing.spans().find((s) => s.name === 'handler')?.events ?? [];
    expect(events.map((e) => [e.name, e.attributes?.['checkout.state_machine.outcome']])).toEqual([
      ['state_machine.transition', 'applied'],
      ['state_machine.transition', 'duplicate'],
      ['state_machine.transition', 'not-allowed'],
    ]);
    expect(events[0]?.attributes).toMatchObject({
      'checkout.state_machine.machine': orderMachine.id,
      'checkout.state_machine.aggregate_id': id,
      'checkout.state_machine.event': 'payment.authorized',
      'checkout.state_machine.from': 'PENDING_PAYMENT',
      'checkout.state_machine.to': 'PAYMENT_AUTHORIZED',
    });
  });
});
