import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { IdempotencyPayloadError } from '../errors.js';

// Sorted keys (canonical), and a cycle is an error rather than a silent "[Circular]".
const canonicalJson = configure({ deterministic: true, circularValue: Error, bigint: true });

/**
 * SHA-256 (hex) of the canonical JSON of `payload`: object keys sorted, so key order does not
 * matter. `undefined` (a function without arguments) counts as `null`.
 */
export function fingerprintOf(payload: unknown): string {
  let json: string | undefined;
  try {
    json = canonicalJson(payload === undefined ? null : payload);
  } catch (error) {
    throw new IdempotencyPayloadError(error instanceof Error ? error.message : String(error), error);
  }
  if (json === undefined) throw new IdempotencyPayloadError(`a ${typeof payload} has no JSON form`);
  return createHash('sha256').update(json).digest('hex');
}
