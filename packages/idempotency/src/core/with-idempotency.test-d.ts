// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import type { Kysely, Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import { expectTypeOf } from 'vitest';
import { createDynamoDbIdempotencyStore } from '../dynamodb/dynamodb-store.js';
import { idempotentTransaction } from '../kysely/idempotent-transaction.js';
import { createKyselyIdempotencyStore, type KyselyIdempotencyStore } from '../kysely/kysely-store.js';
import type { IdempotencyStore } from '../store/idempotency-store.js';
import { createMemoryIdempotencyStore, type MemoryIdempotencyStore } from '../store/memory-store.js';
import type { IdempotentResult } from './attempt.js';
import { once } from './once.js';
import { type IdempotentFunction, withIdempotency } from './with-idempotency.js';

const store = createMemoryIdempotencyStore();
expectTypeOf(store).toEqualTypeOf<MemoryIdempotencyStore>();
expectTypeOf(store).toMatchTypeOf<IdempotencyStore>();
expectTypeOf(store.size).toEqualTypeOf<number>();

// withIdempotency keeps the wrapped signature: A from the parameters, R from the (awaited) result.
const charge = withIdempotency(async (orderId: string, amount: number) => ({ orderId, amount }), {
  store,
  scope: (orderId) => {
    expectTypeOf(orderId).toEqualTypeOf<string>();
    return 'payments';
  },
  key: (orderId, amount) => {
    expectTypeOf(amount).toEqualTypeOf<number>();
    return orderId;
  },
  fingerprint: (_orderId, amount) => amount,
  lambdaContext: () => undefined,
  now: () => 0,
  inProgressLeaseMs: 30_000,
  ttlSeconds: 3600,
});
expectTypeOf(charge).toEqualTypeOf<
  IdempotentFunction<[orderId: string, amount: number], { orderId: string; amount: number }>
>();
expectTypeOf(charge).parameters.toEqualTypeOf<[string, number]>();
expectTypeOf(charge).returns.resolves.toEqualTypeOf<{ orderId: string; amount: number }>();
expectTypeOf(charge.withResult).returns.resolves.toEqualTypeOf<IdempotentResult<{ orderId: string; amount: number }>>();
expectTypeOf(charge.withKey).parameters.toEqualTypeOf<[string, string, number]>();

// A synchronous function is wrapped as async.
const sync = withIdempotency((n: number) => n * 2, { store, scope: 's', key: String });
expectTypeOf(sync).returns.toEqualTypeOf<Promise<number>>();

// @ts-expect-error the wrapped function takes (string, number)
void charge(1, 2);
// @ts-expect-error key reads the same arguments: the first is a string, not a number
withIdempotency(async (orderId: string) => orderId, { store, scope: 's', key: (orderId: number) => String(orderId) });
// @ts-expect-error scope is required
withIdempotency(async () => 1, { store });
// @ts-expect-error the lease is in milliseconds now; inProgressLeaseSeconds is gone
withIdempotency(async () => 1, { store, scope: 's', inProgressLeaseSeconds: 60 });
// @ts-expect-error the clock is `now`
withIdempotency(async () => 1, { store, scope: 's', clock: () => 0 });
// The serializer serializes the result type.
const textSerializer = { serialize: (v: string) => v, deserialize: (t: string) => t };
// @ts-expect-error a string serializer for a number result
withIdempotency(async () => 1, { store, scope: 's', serializer: textSerializer });

// once: R from fn.
const sent = once(store, 'order-1:receipt', async () => ({ messageId: 'm-1' }), { scope: 'receipt' });
expectTypeOf(sent).toEqualTypeOf<Promise<IdempotentResult<{ messageId: string }>>>();
// @ts-expect-error once takes a store first
void once('order-1', store, async () => 1);

// Postgres: one component, a store and its migration.
declare const db: Kysely<{ orders: { id: string } }>;
const postgres = createKyselyIdempotencyStore({ db, schema: 'checkout' });
expectTypeOf(postgres).toEqualTypeOf<KyselyIdempotencyStore>();
expectTypeOf(postgres).toMatchTypeOf<IdempotencyStore>();
expectTypeOf(postgres.migration()).toEqualTypeOf<Migration>();
expectTypeOf(postgres.migrationSql('up')).toEqualTypeOf<string>();
// @ts-expect-error up or down
postgres.migrationSql('sideways');
const migrations: Record<string, Migration> = { '004_idempotency': createKyselyIdempotencyStore().migration() };
void migrations;

// idempotentTransaction: trx is typed by db's schema, R from fn.
const placed = idempotentTransaction(
  db,
  { store: postgres, scope: 'checkout', key: 'k', fingerprint: null },
  async (trx) => {
    expectTypeOf(trx).toEqualTypeOf<Transaction<{ orders: { id: string } }>>();
    return { orderId: 'o-1' };
  },
);
expectTypeOf(placed).toEqualTypeOf<Promise<IdempotentResult<{ orderId: string }>>>();
// @ts-expect-error idempotentTransaction needs the Postgres store (it owns the table), not any store
void idempotentTransaction(db, { store, scope: 's', key: 'k', fingerprint: null }, async () => 1);

// DynamoDB: the factory returns a plain IdempotencyStore.
declare const client: Parameters<typeof createDynamoDbIdempotencyStore>[0]['client'];
expectTypeOf(createDynamoDbIdempotencyStore({ client, tableName: 'idempotency' })).toEqualTypeOf<IdempotencyStore>();
// @ts-expect-error tableName is required
createDynamoDbIdempotencyStore({ client });
