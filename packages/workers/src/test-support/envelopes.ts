// Test-only: a synchronous stand-in for `encode` (which is async, as any Standard Schema may be),
// for fixtures built at module level or inside JSON.stringify. Only for schemas that validate
// synchronously (zod without async refinements).
import { ulid } from 'ulid';
import type { EncodeMeta } from '../envelope/codec.js';
import type { CommandDefinition } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';

/** The envelope `encode` would resolve to, built synchronously; throws on an invalid payload. */
export function encodeNow<TType extends string, TPayload, TInput>(
  command: CommandDefinition<TType, TPayload, TInput>,
  payload: TInput,
  meta: EncodeMeta,
): Envelope<TType, TPayload> {
  const result = command.payload['~standard'].validate(payload);
  if (result instanceof Promise) throw new Error('encodeNow: this schema validates asynchronously; use encode');
  if (result.issues !== undefined) throw new Error(`encodeNow: invalid payload: ${result.issues[0]?.message}`);
  const occurredAt = meta.occurredAt instanceof Date ? meta.occurredAt.toISOString() : meta.occurredAt;
  return {
    messageId: meta.messageId ?? ulid(),
    type: command.type,
    schemaVersion: command.version,
    orderId: meta.orderId,
    idempotencyKey: meta.idempotencyKey,
    attempt: meta.attempt ?? 1,
    occurredAt: occurredAt ?? new Date().toISOString(),
    ...(meta.traceparent === undefined ? {} : { traceparent: meta.traceparent }),
    payload: result.value,
  };
}
