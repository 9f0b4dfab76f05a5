import { createTestSchema, type TestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type BoundedPoolOptions, createBoundedPool } from './bounded-clients.js';

/** What {@link useBoundedPools} gives a test file. */
export interface BoundedPools {
  /** The test stack's Postgres URL (set once `beforeAll` ran). */
  readonly url: string;
  /** A fresh schema for this file's tables (dropped after the file). */
  readonly schema: TestSchema;
  /** A `createBoundedPool` on the test stack's Postgres, ended after the test that opened it. */
  pool(options: Omit<BoundedPoolOptions, 'connectionString'>): pg.Pool;
}

/** For the pool tests of this folder: registers the hooks that make and clean up their pools and schema. */
export function useBoundedPools(schemaPrefix: string): BoundedPools {
  let url = '';
  let schema: TestSchema | undefined;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    const stack = useCheckoutStack();
    url = stack.postgres.url;
    schema = await createTestSchema(stack.postgres, schemaPrefix);
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });
  afterAll(async () => {
    await schema?.drop();
  });
  return {
    get url() {
      return url;
    },
    get schema() {
      if (schema === undefined) throw new Error('useBoundedPools: the schema exists once beforeAll ran');
      return schema;
    },
    pool(options) {
      const pool = createBoundedPool({ connectionString: url, ...options });
      pools.push(pool);
      return pool;
    },
  };
}
