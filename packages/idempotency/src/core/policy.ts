import { IdempotencyConfigError } from '../errors.js';
import {
  type IdempotencySerializer,
  jsonSerializer,
  type RememberedError,
  reviveRememberedError,
} from './serializer.js';

/** Default time a completed record is replayed: one hour (results may hold personal data; keep it short). */
export const DEFAULT_TTL_SECONDS = 3600;

/** Options shared by `withIdempotency`, `once` and `idempotentTransaction`. */
export interface IdempotencyPolicyOptions<R> {
  /**
   * How long a completed record is replayed, in whole seconds (the DynamoDB TTL of the record); then
   * the key runs again. Default 3600.
   */
  readonly ttlSeconds?: number;
  /**
   * Errors that are business results (a card decline): stored and thrown again on every replay.
   * Any other error releases the key so a retry can run. Default: none are remembered.
   */
  readonly rememberErrors?: (error: unknown) => boolean;
  /** Rebuilds a remembered error on replay (e.g. `new CardDeclinedError(...)`). Default: an `Error` with the same name, message and properties. */
  readonly reviveError?: (remembered: RememberedError) => unknown;
  /** Serializes results for the store (encryption, redaction). Default JSON. */
  readonly serializer?: IdempotencySerializer<R>;
  /** The clock: epoch milliseconds (integers); tests pass a fake one. Default `Date.now`. */
  readonly now?: () => number;
}

/** The options with defaults applied and validated. */
export interface IdempotencyPolicy<R> {
  readonly ttlMs: number;
  readonly rememberErrors: (error: unknown) => boolean;
  readonly reviveError: (remembered: RememberedError) => unknown;
  readonly serializer: IdempotencySerializer<R>;
  readonly now: () => number;
}

/** Applies defaults; throws {@link IdempotencyConfigError} naming a bad option. */
export function resolvePolicy<R>(options: IdempotencyPolicyOptions<R>): IdempotencyPolicy<R> {
  if (typeof options !== 'object' || options === null) {
    throw new IdempotencyConfigError(
      ['options'],
      `must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  for (const name of ['rememberErrors', 'reviveError', 'now'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new IdempotencyConfigError([name], 'must be a function');
    }
  }
  const { serializer } = options;
  if (
    serializer !== undefined &&
    (typeof serializer?.serialize !== 'function' || typeof serializer.deserialize !== 'function')
  ) {
    throw new IdempotencyConfigError(['serializer'], 'must have serialize and deserialize functions');
  }
  const ttlSeconds = wholeSeconds('ttlSeconds', options.ttlSeconds ?? DEFAULT_TTL_SECONDS);
  return {
    ttlMs: ttlSeconds * 1000,
    rememberErrors: options.rememberErrors ?? (() => false),
    reviveError: options.reviveError ?? reviveRememberedError,
    serializer: options.serializer ?? jsonSerializer<R>(),
    now: options.now ?? Date.now,
  };
}

/**
 * Longest `ttlSeconds` or `inProgressLeaseMs` accepted: 100 years. A longer one would make
 * `now + ttl` an epoch-ms time no store can keep as an integer (refused only at the first call).
 */
const MAX_SECONDS = 100 * 365 * 24 * 3600;

/** Throws {@link IdempotencyConfigError} unless `value` is a whole number of seconds > 0 and at most 100 years. */
export function wholeSeconds(option: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0 || (value as number) > MAX_SECONDS) {
    throw new IdempotencyConfigError(
      [option],
      `expected a whole number of seconds > 0 and at most ${MAX_SECONDS} (100 years), got ${String(value)}`,
    );
  }
  return value as number;
}

/** Throws {@link IdempotencyConfigError} unless `value` is a whole number of milliseconds > 0 and at most 100 years. */
export function wholeMs(option: string, value: unknown): number {
  const max = MAX_SECONDS * 1000;
  if (!Number.isSafeInteger(value) || (value as number) <= 0 || (value as number) > max) {
    throw new IdempotencyConfigError(
      [option],
      `expected a whole number of milliseconds > 0 and at most ${max} (100 years), got ${String(value)}`,
    );
  }
  return value as number;
}
