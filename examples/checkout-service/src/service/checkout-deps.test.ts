import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { CheckoutDatabase } from '../db/database.js';
import { DEMO_CATALOG } from '../local/checkout-environment.js';
import { createCheckoutDeps } from './checkout-deps.js';

describe('createCheckoutDeps', () => {
  it('rejects a hostile schema name before any SQL runs (the packages validate and quote every name)', async () => {
    // The pool is lazy: nothing connects unless a query runs.
    const db = new Kysely<CheckoutDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
    const build = (schema: string) =>
      createCheckoutDeps({
        db,
        schema,
        dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
        inventoryTable: 'inventory',
        catalog: DEMO_CATALOG,
        payment: {
          authorize: () => Promise.reject(new Error('unused')),
          void: () => Promise.resolve(),
          cancel: () => Promise.resolve(),
        },
        email: { send: () => Promise.resolve() },
      });
    expect(() => build('checkout"; DROP TABLE orders; --')).toThrow(/schema/);
    expect(build('checkout_1').schema).toBe('checkout_1');
    await db.destroy();
  });
});
