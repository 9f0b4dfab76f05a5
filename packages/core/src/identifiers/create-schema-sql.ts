import { identifierProblem } from './identifier.js';

/**
 * The statement every checkout-kit migration uses to make sure its schema exists. It creates the
 * schema only when `pg_namespace` does not list it, so a role that owns an existing schema but may
 * not create schemas in the database can still migrate (Postgres checks that privilege BEFORE it
 * looks at `IF NOT EXISTS`: `CREATE SCHEMA IF NOT EXISTS public` fails with "permission denied for
 * database" for such a role). Throws a `TypeError` for a name that breaks the identifier rule.
 *
 * @example
 * ```ts
 * import { createSchemaSql } from '@checkout/core';
 *
 * createSchemaSql('checkout');
 * // DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'checkout') THEN CREATE SCHEMA "checkout"; END IF; END $$
 * ```
 */
export function createSchemaSql(schema: string): string {
  const problem = identifierProblem(schema);
  if (problem !== undefined) throw new TypeError(`schema ${problem}`);
  // Safe to embed: the identifier rule allows only ASCII letters, digits and _.
  return `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${schema}') THEN CREATE SCHEMA "${schema}"; END IF; END $$`;
}
