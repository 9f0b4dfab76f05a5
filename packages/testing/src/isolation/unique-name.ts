import { randomBytes } from 'node:crypto';

/**
 * A name no other test in this run uses: `<prefix>_<base36 time><random hex>`, lower case,
 * `[a-z0-9_]` only, so it is valid as a Postgres schema, a DynamoDB table and an SQS queue name.
 */
export function uniqueName(prefix: string): string {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) {
    throw new TypeError(`uniqueName: prefix must match /^[a-z][a-z0-9_]{0,30}$/, got ${JSON.stringify(prefix)}`);
  }
  return `${prefix}_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
