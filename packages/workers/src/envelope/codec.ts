import { ulid } from 'ulid';
import { InvalidPayloadError, PoisonMessageError } from '../errors.js';
import type { CommandDefinition } from './define-command.js';
import { ENVELOPE_VERSION, type Envelope, envelopeSchema, issuePath } from './envelope.js';
import { jsonValueSqsProblem, textProblem } from './sqs-text.js';

/** Any command definition, whatever its payload type. */
export type AnyCommand = CommandDefinition<string, unknown, unknown>;

/** The envelope type `decode` returns for a list of commands: a union discriminated by `type`. */
export type DecodedEnvelope<C extends AnyCommand> =
  C extends CommandDefinition<infer TType, infer TPayload, unknown> ? Envelope<TType, TPayload> : never;

/** Metadata `encode` puts around a payload. */
export interface EncodeMeta {
  /** The order the command is about (FIFO group key). */
  readonly orderId: string;
  /** Key the consumer's side effect is made idempotent with. */
  readonly idempotencyKey: string;
  /** Defaults to a fresh ULID. */
  readonly messageId?: string;
  /** Defaults to 1. */
  readonly attempt?: number;
  /** Defaults to now. */
  readonly occurredAt?: Date | string;
  /** W3C `traceparent` of the producing request. */
  readonly traceparent?: string;
}

/**
 * Builds the envelope of one command: validates the payload with the command's schema and the
 * metadata with the envelope schema. The result is a plain JSON-serializable object: send
 * `JSON.stringify(envelope)` as the SQS message body.
 *
 * `orderId` and `idempotencyKey` must not hold U+0000, unpaired surrogates or characters SQS
 * refuses (U+FFFE, U+FFFF, control characters); the payload must be JSON-serialisable and its
 * strings free of characters SQS refuses (JSON escapes U+0000 and unpaired surrogates).
 *
 * @throws InvalidPayloadError naming the first invalid field (`payload.amountMinor`, `orderId`, ...).
 */
export function encode<TType extends string, TPayload, TInput>(
  command: CommandDefinition<TType, TPayload, TInput>,
  payload: TInput,
  meta: EncodeMeta,
): Envelope<TType, TPayload> {
  const parsedPayload = command.payload.safeParse(payload);
  if (!parsedPayload.success) {
    const issue = parsedPayload.error.issues[0];
    throw new InvalidPayloadError(issuePath(issue?.path ?? [], 'payload'), issue?.message ?? 'invalid payload');
  }
  for (const field of ['orderId', 'idempotencyKey'] as const) {
    const value: unknown = meta[field];
    const problem = typeof value === 'string' ? textProblem(value) : undefined;
    if (problem !== undefined) throw new InvalidPayloadError(field, problem);
  }
  if (meta.occurredAt instanceof Date && Number.isNaN(meta.occurredAt.getTime())) {
    throw new InvalidPayloadError('occurredAt', 'must be a valid date');
  }
  const occurredAt = meta.occurredAt instanceof Date ? meta.occurredAt.toISOString() : meta.occurredAt;
  const candidate = {
    messageId: meta.messageId ?? ulid(),
    type: command.type,
    schemaVersion: command.version,
    orderId: meta.orderId,
    idempotencyKey: meta.idempotencyKey,
    attempt: meta.attempt ?? 1,
    occurredAt: occurredAt ?? new Date().toISOString(),
    ...(meta.traceparent === undefined ? {} : { traceparent: meta.traceparent }),
    payload: parsedPayload.data,
  };
  const checked = envelopeSchema.safeParse(candidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new InvalidPayloadError(issuePath(issue?.path ?? []), issue?.message ?? 'invalid envelope');
  }
  // What the outbox sends is `JSON.stringify(envelope)`: it must exist and be text SQS accepts.
  let body: string | undefined;
  try {
    body = JSON.stringify(candidate.payload);
  } catch (error) {
    throw new InvalidPayloadError('payload', `is not JSON-serialisable (${(error as Error).message})`);
  }
  if (body === undefined) throw new InvalidPayloadError('payload', 'is not JSON-serialisable');
  const unsafe = jsonValueSqsProblem(JSON.parse(body), 'payload');
  if (unsafe !== undefined) throw new InvalidPayloadError(unsafe.path, unsafe.problem);
  return candidate;
}

/** Looks a command up by type; built once per handler, consumer or `decode` call. */
export function commandIndex(commands: Iterable<AnyCommand>): ReadonlyMap<string, AnyCommand> {
  const index = new Map<string, AnyCommand>();
  for (const command of commands) index.set(command.type, command);
  return index;
}

/**
 * Parses a message body into a typed envelope: JSON, then the envelope schema, then the command
 * named by `type`, upcasting old payload versions before validating with the current schema. The
 * returned envelope carries the current `schemaVersion`. Tolerant reader: top-level fields this
 * version does not know are ignored (left out of the result; the SQS body keeps them), known ones
 * are validated strictly, and an `envelopeVersion` above {@link ENVELOPE_VERSION} is refused.
 *
 * @throws PoisonMessageError with `kind` `unparseable`, `invalid-envelope`, `unknown-type`,
 *   `unsupported-version` or `schema-invalid` (and the field at fault).
 */
export function decode<const C extends readonly AnyCommand[]>(body: string, commands: C): DecodedEnvelope<C[number]> {
  return decodeWith(body, commandIndex(commands)) as DecodedEnvelope<C[number]>;
}

/** `decode` against a prebuilt index (no allocation per message beyond the parse). */
export function decodeWith(body: string, index: ReadonlyMap<string, AnyCommand>): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError('unparseable', error instanceof Error ? error.message : 'body is not JSON');
  }
  // The envelope version first: a newer format may change known fields, and must then be reported
  // as a version this consumer does not know, not as a broken envelope.
  const declared =
    typeof json === 'object' && json !== null ? (json as { envelopeVersion?: unknown }).envelopeVersion : undefined;
  if (typeof declared === 'number' && Number.isInteger(declared) && declared > ENVELOPE_VERSION) {
    throw new PoisonMessageError(
      'unsupported-version',
      `envelope v${declared} is newer than this consumer (v${ENVELOPE_VERSION})`,
      'envelopeVersion',
    );
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PoisonMessageError('invalid-envelope', issue?.message ?? 'not an envelope', issuePath(issue?.path ?? []));
  }
  const envelope = parsed.data;
  const command = index.get(envelope.type);
  if (command === undefined) {
    throw new PoisonMessageError('unknown-type', `no command registered for type ${JSON.stringify(envelope.type)}`);
  }
  if (envelope.schemaVersion > command.version) {
    throw new PoisonMessageError(
      'unsupported-version',
      `${command.type} v${envelope.schemaVersion} is newer than this consumer (v${command.version})`,
    );
  }
  let payload: unknown = envelope.payload;
  for (let version = envelope.schemaVersion; version < command.version; version += 1) {
    const step = command.upcast[version];
    if (step === undefined) {
      throw new PoisonMessageError('unsupported-version', `${command.type} has no upcaster from v${version}`);
    }
    try {
      payload = step(payload);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new PoisonMessageError('schema-invalid', `upcast from v${version} failed: ${detail}`, 'payload');
    }
  }
  const checked = command.payload.safeParse(payload);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new PoisonMessageError(
      'schema-invalid',
      issue?.message ?? 'invalid payload',
      issuePath(issue?.path ?? [], 'payload'),
    );
  }
  const { traceparent, envelopeVersion: _format, ...rest } = envelope;
  return {
    ...rest,
    ...(traceparent === undefined ? {} : { traceparent }),
    schemaVersion: command.version,
    payload: checked.data,
  };
}
