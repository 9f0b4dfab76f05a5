import { randomBytes } from 'node:crypto';
import { TestingInputError } from '../errors.js';

/**
 * A name no other test in this run uses: `<prefix>_<base36 time><random hex>`, lower case,
 * `[a-z0-9_]` only, so it is valid as a Postgres schema, a DynamoDB table and an SQS queue name.
 * A prefix outside `/^[a-z][a-z0-9_]{0,30}$/` is a `TestingInputError` (field `prefix`).
 *
 * @example
 * ```ts
 * import { uniqueName } from '@checkout/testing';
 *
 * const table = uniqueName('orders'); // 'orders_m3k2x1a9f0c2b1'
 * ```
 */
export function uniqueName(prefix: string): string {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) {
    throw new TestingInputError(
      'prefix',
      `must match /^[a-z][a-z0-9_]{0,30}$/, got ${JSON.stringify(String(prefix)).slice(0, 80)}`,
    );
  }
  return `${prefix}_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
