import { fieldPath } from '@checkout/core';
import { type Kysely, sql } from 'kysely';
import { DESTINATION, GROUP_KEY } from '../enqueue/message.js';
import { OutboxInputError } from '../errors.js';
import type { OutboxTable } from '../table/outbox-table.js';

/** Largest Postgres `bigint`: a larger id would fail in SQL (and abort a caller's transaction). */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** Which dead rows to bring back. Fields combine with AND; `{}` selects every dead row. */
export interface RequeueDeadFilter {
  /** Only these row ids. */
  readonly ids?: readonly string[];
  /** Only rows for this destination. */
  readonly destination?: string;
  /** Only rows of this group. */
  readonly groupKey?: string;
}

/**
 * Makes matching dead rows pending again with a fresh attempt budget. They keep their place in
 * their group's order (they are still its head), so the rows they blocked follow them. Returns the
 * number of rows requeued.
 */
export async function requeueDeadRows<DB>(
  db: Kysely<DB>,
  table: OutboxTable,
  filter: RequeueDeadFilter,
): Promise<number> {
  if (typeof filter !== 'object' || filter === null) {
    throw new OutboxInputError(
      'filter',
      'must be an object { ids?, destination?, groupKey? } ({} selects every dead row)',
    );
  }
  const ids = filter.ids ?? null;
  if (ids !== null) {
    if (!Array.isArray(ids)) throw new OutboxInputError('filter.ids', 'must be an array of outbox row ids');
    // Array.from turns holes of a sparse array into `undefined`, so every slot is checked.
    Array.from(ids as readonly unknown[]).forEach((id, index) => {
      if (typeof id !== 'string' || !/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT) {
        throw new OutboxInputError(fieldPath('filter', 'ids', index), 'must be an outbox row id (a decimal string)');
      }
    });
  }
  // Checked before any SQL, with enqueue's rules: text Postgres would refuse never reaches it.
  if (
    filter.destination !== undefined &&
    (typeof filter.destination !== 'string' || !DESTINATION.test(filter.destination))
  ) {
    throw new OutboxInputError('filter.destination', 'must be 1-256 printable ASCII characters');
  }
  if (filter.groupKey !== undefined && (typeof filter.groupKey !== 'string' || !GROUP_KEY.test(filter.groupKey))) {
    throw new OutboxInputError('filter.groupKey', 'must be 1-128 printable ASCII characters');
  }
  const result = await sql<{ n: string }>`
    WITH requeued AS (
      UPDATE ${table.ref} SET status = 'pending', attempts = 0, available_at = now()
      WHERE status = 'dead'
        AND (${ids}::bigint[] IS NULL OR id = ANY(${ids}::bigint[]))
        AND (${filter.destination ?? null}::text IS NULL OR destination = ${filter.destination ?? null})
        AND (${filter.groupKey ?? null}::text IS NULL OR group_key = ${filter.groupKey ?? null})
      RETURNING 1
    ) SELECT count(*)::text AS n FROM requeued`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}
