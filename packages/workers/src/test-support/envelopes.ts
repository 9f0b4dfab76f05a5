// Test-only: a synchronous stand-in for `encode` (which is async, as any Standard Schema may be),
// for fixtures built at module level or inside JSON.stringify. Only for schemas that validate
// synchronously (zod without async refinements).
import { buildEnvelope } from '../envelope/build-envelope.js';
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
  return buildEnvelope(command, result.value, meta);
}
