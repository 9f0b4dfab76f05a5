import pg from 'pg';
import type { PostgresEndpoint } from '../stack/types.js';
import { uniqueName } from './unique-name.js';

/** A Postgres schema owned by one test file. */
export interface TestSchema {
  /** The schema name (safe identifier: `[a-z0-9_]`). */
  readonly name: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh schema so test files can run in parallel against one Postgres. A bad `prefix` is a
 * `TestingInputError` (field `prefix`), before any connection is made.
 *
 * @example
 * ```ts
 * import { createTestSchema, startCheckoutStack } from '@checkout/testing';
 *
 * const stack = await startCheckoutStack();
 * const schema = await createTestSchema(stack.postgres, 'orders');
 * // ... migrate into schema.name, run the test
 * await schema.drop();
 * ```
 */
export async function createTestSchema(postgres: Pick<PostgresEndpoint, 'url'>, prefix = 't'): Promise<TestSchema> {
  const name = uniqueName(prefix);
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${name}"`);
  } finally {
    await client.end();
  }
  return {
    name,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: postgres.url });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}
