import { DEFAULT_SCHEMA, identifierProblem } from '@checkout/core';
import { type RawBuilder, sql } from 'kysely';
import { OutboxConfigError } from '../errors.js';

/** Default table name of {@link OutboxOptions.table}. */
const DEFAULT_TABLE = 'checkout_outbox';

/** Returns `value` if it is a valid identifier (core's rule), else throws naming `field`. It is quoted at every use. */
function validateIdentifier(field: string, value: unknown): string {
  const problem = identifierProblem(value);
  if (problem !== undefined) throw new OutboxConfigError(field, problem);
  return value as string;
}

/** 32-bit FNV-1a of a string, as a signed int: stable across processes (namespaces advisory locks). */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * Versions of the outbox table: 1 (`@checkout/outbox` 0.1), 2 (adds the trace context columns
 * `trace_parent` and `trace_state`). `outbox.migration()` creates the latest; `migration({ from: 1 })`
 * upgrades a version-1 table.
 */
export type OutboxSchemaVersion = 1 | 2;

/** SQS's message size limit today (1 MiB); see {@link OutboxOptions.maxMessageBytes}. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;

/** Where the outbox lives and how big a message may be. Every field is optional. */
export interface OutboxOptions {
  /**
   * Schema of the outbox table. Default `'public'` (never the connection's `search_path`). ASCII
   * letters, digits and `_`, not starting with a digit, at most 40 characters; always quoted.
   */
  readonly schema?: string;
  /**
   * Table name. Default `'checkout_outbox'`. Same rule as `schema`; the migration also creates
   * `<table>_inflight`, `<table>_claim` and indexes `<table>_..._idx`.
   */
  readonly table?: string;
  /**
   * Largest message `enqueue` accepts, in bytes as SQS counts them (body + attribute names, types
   * and values). Default 1 MiB (SQS's limit); lower it if your queues or consumers need less.
   */
  readonly maxMessageBytes?: number;
  /**
   * `enqueue` sends `NOTIFY` on this channel (delivered at commit) so relays wake at once.
   * Default: derived from schema and table. `false` turns notifications off (relays then poll).
   * Same rule as `schema`.
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
  if (typeof options !== 'object' || options === null) {
    throw new OutboxConfigError('options', 'must be an object { schema?, table?, maxMessageBytes?, notifyChannel? }');
  }
  const schema = validateIdentifier('schema', options.schema ?? DEFAULT_SCHEMA);
  const table = validateIdentifier('table', options.table ?? DEFAULT_TABLE);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new OutboxConfigError('maxMessageBytes', `must be a positive integer, got ${String(maxMessageBytes)}`);
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
