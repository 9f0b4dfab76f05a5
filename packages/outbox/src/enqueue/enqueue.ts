import { sql, type Transaction } from 'kysely';
import { OutboxInputError, OutboxNotInTransactionError } from '../errors.js';
import type { OutboxTable } from '../table/outbox-table.js';
import { activeTraceContext } from '../tracing/trace-context.js';
import { type OutboxMessage, type ValidatedMessage, validateMessage } from './message.js';

/**
 * Inserts `messages` into the outbox inside the caller's transaction and returns their ids (in
 * order). Validates every message first: on bad input it throws and writes nothing. Never opens a
 * connection or a transaction of its own.
 */
export async function enqueueMessages<DB>(
  table: OutboxTable,
  trx: Transaction<DB>,
  messages: OutboxMessage | readonly OutboxMessage[],
): Promise<string[]> {
  if ((trx as { readonly isTransaction?: unknown } | null | undefined)?.isTransaction !== true) {
    throw new OutboxNotInTransactionError();
  }
  // Array.from turns holes of a sparse array into `undefined`, so every slot is validated.
  const list: readonly unknown[] = Array.isArray(messages) ? Array.from(messages as readonly unknown[]) : [messages];
  if (list.length === 0) return [];
  if (list.length > 10_000) throw new OutboxInputError('messages', 'at most 10000 messages per call');
  const single = !Array.isArray(messages);
  // The context of the request writing the rows, captured now: the relay publishes them later, from
  // another process, and links each publish to this context (never to its own).
  const active = activeTraceContext();
  const valid: ValidatedMessage[] = list.map((message, index) =>
    validateMessage(single ? ['message'] : ['messages', index], message, table.maxMessageBytes, active),
  );
  const notify =
    table.notifyChannel === undefined ? sql`` : sql`, (SELECT pg_notify(${table.notifyChannel}, '')) AS notified`;
  // One round trip for any number of rows; ORDINALITY keeps ids in the caller's order.
  const result = await sql<{ id: string }>`
    WITH ins AS (
      INSERT INTO ${table.ref} (destination, group_key, body, attributes, delay_seconds, trace_parent, trace_state)
      SELECT u.destination, u.group_key, u.body, u.attributes, u.delay_seconds, u.trace_parent, u.trace_state
      FROM unnest(
        ${valid.map((m) => m.destination)}::text[],
        ${valid.map((m) => m.groupKey)}::text[],
        ${valid.map((m) => m.bodyJson)}::json[],
        ${valid.map((m) => m.attributesJson)}::jsonb[],
        ${valid.map((m) => m.delaySeconds)}::int[],
        ${valid.map((m) => m.traceparent)}::text[],
        ${valid.map((m) => m.tracestate)}::text[]
      ) WITH ORDINALITY AS u(destination, group_key, body, attributes, delay_seconds, trace_parent, trace_state, ord)
      ORDER BY u.ord
      RETURNING id
    )
    SELECT ins.id::text AS id FROM ins${notify}
    ORDER BY ins.id`.execute(trx);
  return result.rows.map((row) => row.id);
}
