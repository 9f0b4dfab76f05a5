// Type tests (checked by `pnpm typecheck`, never run).
import type { Kysely, Transaction } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createOutbox,
  createOutboxRelay,
  createSqsPublisher,
  type OutboxError,
  type OutboxErrorCode,
  type OutboxMessage,
  type OutboxPublisher,
  type OutboxRelay,
} from './index.js';

interface ShopDatabase {
  orders: { id: string; state: string };
}

declare const db: Kysely<ShopDatabase>;
declare const trx: Transaction<ShopDatabase>;
// biome-ignore lint/suspicious/noExplicitAny: what a Migrator takes (a user's migration db)
declare const anyDb: Kysely<any>;
const outbox = createOutbox({ schema: 'checkout' });

describe('Outbox', () => {
  it('enqueue takes the caller transaction first, never a plain Kysely', () => {
    expectTypeOf(outbox.enqueue(trx, { destination: 'd', body: { any: 'json' } })).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(outbox.enqueue(trx, [{ destination: 'd', groupKey: 'g', body: 1 }])).toEqualTypeOf<
      Promise<string[]>
    >();
    // @ts-expect-error a Kysely instance is not a Transaction: the row must commit with your write
    void outbox.enqueue(db, { destination: 'd', body: 1 });
    // @ts-expect-error destination is required
    void outbox.enqueue(trx, { body: 1 });
    // @ts-expect-error attribute values are strings or numbers
    void outbox.enqueue(trx, { destination: 'd', body: 1, attributes: { a: true } });
  });

  it('reads and admin writes take db first: a Kysely or a Transaction', () => {
    void outbox.stats(db);
    void outbox.stats(trx);
    void outbox.requeueDead(trx, { groupKey: 'order-1' });
    void outbox.cleanup(db, { retentionMs: 60_000 });
    // @ts-expect-error retentionMs is required
    void outbox.cleanup(db, {});
  });

  it("migration() is Kysely's Migration, listed in a Migrator over Kysely<any> without a cast", () => {
    expectTypeOf(outbox.migration()).toEqualTypeOf<Migration>();
    const migrations: Record<string, Migration> = { '003_outbox': outbox.migration() };
    new Migrator({ db: anyDb, provider: { getMigrations: async () => migrations } });
    expectTypeOf(outbox.migrationSql('down')).toEqualTypeOf<string>();
    // @ts-expect-error the direction is 'up' or 'down'
    outbox.migrationSql('sideways');
  });

  it('OutboxMessage body is unknown (any JSON value); attributes are optional', () => {
    expectTypeOf<OutboxMessage['body']>().toEqualTypeOf<unknown>();
    expectTypeOf<{ destination: 'd'; body: null }>().toExtend<OutboxMessage>();
  });
});

describe('relay and publisher', () => {
  it('createOutboxRelay takes the typed db, returns the OutboxRelay interface', () => {
    const publisher = createSqsPublisher({ client: {} as never, queues: (destination) => `https://q/${destination}` });
    expectTypeOf(publisher).toEqualTypeOf<OutboxPublisher>();
    const relay = createOutboxRelay({ db, outbox, publisher, backoff: { baseMs: 100 }, random: Math.random });
    expectTypeOf(relay).toEqualTypeOf<OutboxRelay>();
    // @ts-expect-error backoff is { baseMs?, maxMs? } (core's BackoffOptions)
    createOutboxRelay({ db, outbox, publisher, backoff: { base: 100 } });
    // @ts-expect-error durations carry their unit: claimTimeoutMs
    createOutboxRelay({ db, outbox, publisher, claimTimeout: 1000 });
  });

  it('errors carry the union of outbox codes', () => {
    expectTypeOf<OutboxError['code']>().toEqualTypeOf<OutboxErrorCode>();
    expectTypeOf<'OUTBOX_INVALID_INPUT'>().toExtend<OutboxErrorCode>();
  });
});
