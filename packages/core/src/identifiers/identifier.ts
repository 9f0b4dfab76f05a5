/** Longest schema, table or column name a checkout-kit component accepts (derived names add a suffix; Postgres keeps 63). */
export const MAX_IDENTIFIER_LENGTH = 40;

/** Schema of every Postgres component when none is given. */
export const DEFAULT_SCHEMA = 'public';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why `name` is not a valid schema, table, column or channel name for a checkout-kit component, or
 * `undefined` when it is. One rule for every package: ASCII letters (either case), digits and `_`,
 * not starting with a digit, at most {@link MAX_IDENTIFIER_LENGTH} characters. Names are always
 * quoted in SQL, so case is kept: `Checkout` and `checkout` are two schemas.
 *
 * @example
 * ```ts
 * import { identifierProblem } from '@checkout/core';
 *
 * identifierProblem('checkout_outbox'); // undefined
 * identifierProblem('orders; drop table x'); // 'must match /^[A-Za-z_][A-Za-z0-9_]*$/ ...'
 * ```
 */
export function identifierProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string, got ${typeof name}`;
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    return `must be at most ${MAX_IDENTIFIER_LENGTH} characters, got ${name.length}`;
  }
  if (!IDENTIFIER.test(name))
    return `must match ${IDENTIFIER} (ASCII letters, digits and _, not starting with a digit)`;
  return undefined;
}
