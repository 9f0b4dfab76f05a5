import type { EncodeMeta } from './codec.js';
import type { CommandDefinition } from './define-command.js';
import type { Envelope } from './envelope.js';
import { newMessageId } from './message-id.js';

/**
 * The envelope of `command` around an already validated payload, with the metadata's defaults
 * (a new ULID message id, attempt 1, now). Internal: `encode` checks the result against the
 * envelope rules.
 */
export function buildEnvelope<TType extends string, TPayload, TInput>(
  command: CommandDefinition<TType, TPayload, TInput>,
  payload: TPayload,
  meta: EncodeMeta,
): Envelope<TType, TPayload> {
  const occurredAt = meta.occurredAt instanceof Date ? meta.occurredAt.toISOString() : meta.occurredAt;
  return {
    messageId: meta.messageId ?? newMessageId(),
    type: command.type,
    schemaVersion: command.version,
    orderId: meta.orderId,
    idempotencyKey: meta.idempotencyKey,
    attempt: meta.attempt ?? 1,
    occurredAt: occurredAt ?? new Date().toISOString(),
    ...(meta.traceparent === undefined ? {} : { traceparent: meta.traceparent }),
    payload,
  };
}
