import { type RawBuilder, sql } from 'kysely';
import { InvalidOutboxConfigError } from '../errors.js';
import { fnv1a32, validateIdentifier } from './identifier.js';

/** SQS's message size limit today (1 MiB); see {@link OutboxOptions.maxMessageBytes}. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;

/** Where the outbox lives and how big a message may be. Every field is optional. */
export interface OutboxOptions {
  /** Schema of the outbox table. Default `public`. Validated as an identifier and always quoted. */
  readonly schema?: string;
  /** Table name. Default `checkout_outbox`. Validated as an identifier (max 48 chars) and always quoted. */
  readonly table?: string;
  /**
   * Largest message `enqueue` accepts, in bytes as SQS counts them (body + attribute names, types
   * and values). Default 1 MiB (SQS's limit); lower it if your queues or consumers need less.
   */
  readonly maxMessageBytes?: number;
  /**
   * `enqueue` sends `NOTIFY` on this channel (delivered at commit) so relays wake at once.
   * Default: derived from schema and table. `false` turns notifications off (relays then poll).
   */
  readonly notifyChannel?: string | false;
}

/** The validated location and limits of one outbox table (`outbox.table`); use it in your own `sql`. */
export interface OutboxTable {
  /** Schema name (validated identifier). */
  readonly schema: string;
  /** Table name (validated identifier). */
  readonly table: string;
  /** Largest message `enqueue` accepts, in bytes. */
  readonly maxMessageBytes: number;
  /** `NOTIFY` channel of `enqueue`, or `undefined` when notifications are off. */
  readonly notifyChannel: string | undefined;
  /** Seed mixed into advisory-lock keys so two outbox tables never contend for one lock. */
  readonly lockSeed: number;
  /** `"schema"."table"` for use in `sql` templates. */
  readonly ref: RawBuilder<unknown>;
  /** `"schema"."<table>_claim"`: the claim function created by the migration. */
  readonly claimFunction: RawBuilder<unknown>;
  /** `"schema"."<table>_inflight"`: one row per relay round being published (see the relay). */
  readonly inflightRef: RawBuilder<unknown>;
  /** A quoted identifier for an index or constraint of this table (`<table>_<suffix>`). */
  indexName(suffix: string): RawBuilder<unknown>;
}

/** Validates options once; every query of this package goes through the result. */
export function resolveOutboxTable(options: OutboxOptions = {}): OutboxTable {
  const schema = validateIdentifier('schema', options.schema ?? 'public');
  const table = validateIdentifier('table', options.table ?? 'checkout_outbox');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new InvalidOutboxConfigError('maxMessageBytes', `must be a positive integer, got ${String(maxMessageBytes)}`);
  }
  let notifyChannel: string | undefined;
  if (options.notifyChannel === false) notifyChannel = undefined;
  else if (options.notifyChannel === undefined) {
    notifyChannel = `checkout_outbox_${(fnv1a32(`${schema}.${table}`) >>> 0).toString(16)}`;
  } else notifyChannel = validateIdentifier('notifyChannel', options.notifyChannel);
  return {
    schema,
    table,
    maxMessageBytes,
    notifyChannel,
    lockSeed: fnv1a32(`${schema}.${table}`),
    ref: sql`${sql.id(schema, table)}`,
    claimFunction: sql`${sql.id(schema, `${table}_claim`)}`,
    inflightRef: sql`${sql.id(schema, `${table}_inflight`)}`,
    indexName: (suffix: string) => sql`${sql.id(`${table}_${suffix}`)}`,
  };
}
