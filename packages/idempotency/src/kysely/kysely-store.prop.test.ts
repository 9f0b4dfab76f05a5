// The store contract as a model (fast-check commands) on Postgres: every run a fresh key prefix on
// one table, `deleteExpired` on the run's clock; what the model expects, byte for byte, is what
// the table returns.
import { createTestSchema, type TestSchema } from '@checkout/testing';
import { propertyRuns, useCheckoutStack } from '@checkout/testing/vitest';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openShopDb } from '../test-support/postgres-db.js';
import { checkStoreAgainstModel } from '../test-support/store-model.js';
import { createKyselyIdempotencyStore } from './kysely-store.js';

const stack = useCheckoutStack();

describe('Postgres store (model)', () => {
  let schema: TestSchema;
  let db: Awaited<ReturnType<typeof openShopDb>>;
  beforeAll(async () => {
    schema = await createTestSchema(stack.postgres, 'idemprop');
    db = await openShopDb(stack.postgres.url, schema.name);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  it('agrees with the contract model over random acquire / complete / release / expiry / deleteExpired sequences', async () => {
    await checkStoreAgainstModel(async (prefix, now) => {
      const store = createKyselyIdempotencyStore({ db, schema: schema.name, now });
      return {
        store,
        repeatedCompleteSucceeds: false,
        deleteExpired: () => store.deleteExpired(db, { limit: 10_000 }),
        countRecords: async () => {
          const { rows } = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM ${sql.id(schema.name, 'checkout_idempotency')}
            WHERE starts_with(key, ${prefix})`.execute(db);
          return rows[0]?.n ?? -1;
        },
      };
    }, propertyRuns(25));
  });
});
