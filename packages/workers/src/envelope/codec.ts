import { type FieldPathSegment, fieldPath, sqsJsonTextProblem, sqsTextProblem } from '@checkout/core';
import { InvalidPayloadError, PoisonMessageError } from '../errors.js';
import { buildEnvelope } from './build-envelope.js';
import type { CommandDefinition } from './define-command.js';
import { ENVELOPE_VERSION, type Envelope, envelopeProblem } from './envelope.js';
import { validateWith } from './standard-schema.js';

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
 * Builds the envelope of one command: validates the payload with the command's schema (any
 * Standard Schema; its validation may be synchronous or asynchronous) and the metadata with the
 * envelope rules. Resolves to a plain JSON-serializable object: send `JSON.stringify(envelope)` as
 * the SQS message body.
 *
 * `orderId`, `idempotencyKey` and every string (and key) of the payload follow core's SQS text
 * rule (`sqsTextProblem`: no U+0000, no unpaired surrogates, no characters SQS refuses such as
 * U+FFFF); the payload must be JSON-serialisable.
 *
 * @throws InvalidPayloadError (rejects with it) naming the first invalid field with core's
 *   `fieldPath`: `payload.lines[2].quantity`, `orderId`, ...
 * @example
 * ```ts
 * import { type CommandDefinition, encode } from '@checkout/workers';
 *
 * declare const chargeCard: CommandDefinition<'ChargeCard', { amountMinor: number; currency: string }>;
 *
 * const envelope = await encode(chargeCard, { amountMinor: 1299, currency: 'EUR' }, {
 *   orderId: 'order-1',
 *   idempotencyKey: 'order-1:charge',
 * });
 * const body = JSON.stringify(envelope);
 * ```
 */
export async function encode<TType extends string, TPayload, TInput>(
  command: CommandDefinition<TType, TPayload, TInput>,
  payload: TInput,
  meta: EncodeMeta,
): Promise<Envelope<TType, TPayload>> {
  const parsedPayload = await validateWith(command.payload, payload, 'payload');
  if (!parsedPayload.ok) throw new InvalidPayloadError(parsedPayload.issue.field, parsedPayload.issue.message);
  for (const field of ['orderId', 'idempotencyKey'] as const) {
    const value: unknown = meta[field];
    const problem = typeof value === 'string' ? sqsTextProblem(value) : undefined;
    if (problem !== undefined) throw new InvalidPayloadError(field, problem);
  }
  if (meta.occurredAt instanceof Date && Number.isNaN(meta.occurredAt.getTime())) {
    throw new InvalidPayloadError('occurredAt', 'must be a valid date');
  }
  const candidate = buildEnvelope(command, parsedPayload.value, meta);
  const problem = envelopeProblem(candidate);
  if (problem !== undefined) throw new InvalidPayloadError(problem.field ?? 'envelope', problem.message);
  const rewritten = jsonRewriteProblem(candidate.payload, ['payload'], new Set());
  if (rewritten !== undefined) throw new InvalidPayloadError(rewritten.field, rewritten.problem);
  let body: string | undefined;
  try {
    body = JSON.stringify(candidate.payload);
  } catch (error) {
    throw new InvalidPayloadError('payload', `is not JSON-serialisable (${(error as Error).message})`);
  }
  if (body === undefined) throw new InvalidPayloadError('payload', 'is not JSON-serialisable');
  const unsafe = jsonTextProblem(JSON.parse(body), ['payload']);
  if (unsafe !== undefined) throw new InvalidPayloadError(unsafe.field, unsafe.problem);
  // The walk above names the field; this is core's rule on the text itself, the last word.
  const textProblem = sqsJsonTextProblem(body);
  if (textProblem !== undefined) throw new InvalidPayloadError('payload', textProblem);
  return candidate;
}

/**
 * Path (under `path`) of the first value JSON would silently send as something else, so that the
 * consumer would decode another payload: a `Map` or `Set` (sent as `{}`), NaN or ±Infinity (sent as
 * `null`). Values with `toJSON` (a `Date`) are sent as that, as `JSON.stringify` does; cycles are
 * left to `JSON.stringify`, which refuses them.
 */
function jsonRewriteProblem(
  value: unknown,
  path: readonly FieldPathSegment[],
  seen: Set<object>,
): { readonly field: string; readonly problem: string } | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? undefined
      : { field: fieldPath(...path), problem: `${String(value)} has no JSON form (JSON would send null)` };
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (value instanceof Map || value instanceof Set) {
    const kind = value instanceof Map ? 'a Map' : 'a Set';
    return { field: fieldPath(...path), problem: `${kind} has no JSON form (JSON would send {})` };
  }
  seen.add(value);
  try {
    const entries: Array<readonly [FieldPathSegment, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [index, item] as const)
      : Object.entries(value);
    for (const [key, child] of entries) {
      const found = jsonRewriteProblem(child, [...path, key], seen);
      if (found !== undefined) return found;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

/**
 * Path (under `path`) of the first string or key of a parsed JSON value that breaks core's SQS
 * text rule, or `undefined`.
 */
function jsonTextProblem(
  value: unknown,
  path: readonly FieldPathSegment[],
): { readonly field: string; readonly problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = sqsTextProblem(value);
    return problem === undefined ? undefined : { field: fieldPath(...path), problem };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = jsonTextProblem(value[index], [...path, index]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    const keyProblem = sqsTextProblem(key);
    if (keyProblem !== undefined) return { field: fieldPath(...childPath), problem: `key ${keyProblem}` };
    const found = jsonTextProblem(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Looks a command up by type; built once per handler, consumer or `decode` call. */
export function commandIndex(commands: Iterable<AnyCommand>): ReadonlyMap<string, AnyCommand> {
  const index = new Map<string, AnyCommand>();
  for (const command of commands) index.set(command.type, command);
  return index;
}

/**
 * Parses a message body into a typed envelope: JSON, then the envelope rules, then the command
 * named by `type`, upcasting old payload versions before validating with the current schema
 * (synchronously or not, as the schema answers). The resolved envelope carries the current
 * `schemaVersion`. Tolerant reader: top-level fields this version does not know are ignored (left
 * out of the result; the SQS body keeps them), known ones are validated strictly, and an
 * `envelopeVersion` above {@link ENVELOPE_VERSION} is refused.
 *
 * @throws PoisonMessageError (rejects with it) with `kind` `unparseable`, `invalid-envelope`,
 *   `unknown-type`, `unsupported-version` or `schema-invalid` (and the field at fault,
 *   `payload.lines[2].quantity`).
 * @example
 * ```ts
 * import { type CommandDefinition, decode } from '@checkout/workers';
 *
 * declare const chargeCard: CommandDefinition<'ChargeCard', { amountMinor: number; currency: string }>;
 * declare const sendReceipt: CommandDefinition<'SendReceipt', { email: string }>;
 * declare const body: string;
 *
 * const envelope = await decode(body, [chargeCard, sendReceipt]);
 * if (envelope.type === 'ChargeCard') console.log(envelope.payload.amountMinor);
 * ```
 */
export async function decode<const C extends readonly AnyCommand[]>(
  body: string,
  commands: C,
): Promise<DecodedEnvelope<C[number]>> {
  return (await decodeWith(body, commandIndex(commands))) as DecodedEnvelope<C[number]>;
}

/** `decode` against a prebuilt index (no allocation per message beyond the parse). */
export async function decodeWith(body: string, index: ReadonlyMap<string, AnyCommand>): Promise<Envelope> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError('unparseable', error instanceof Error ? error.message : 'body is not JSON');
  }
  const declared =
    typeof json === 'object' && json !== null ? (json as { envelopeVersion?: unknown }).envelopeVersion : undefined;
  if (typeof declared === 'number' && Number.isInteger(declared) && declared > ENVELOPE_VERSION) {
    throw new PoisonMessageError(
      'unsupported-version',
      `envelope v${declared} is newer than this consumer (v${ENVELOPE_VERSION})`,
      'envelopeVersion',
    );
  }
  const problem = envelopeProblem(json);
  if (problem !== undefined) throw new PoisonMessageError('invalid-envelope', problem.message, problem.field);
  const envelope = json as Envelope & { readonly envelopeVersion?: number };
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
  let checked: Awaited<ReturnType<typeof validateWith<unknown>>>;
  try {
    checked = await validateWith(command.payload, payload, 'payload');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PoisonMessageError('schema-invalid', `the payload schema threw: ${detail}`, 'payload');
  }
  if (!checked.ok) throw new PoisonMessageError('schema-invalid', checked.issue.message, checked.issue.field);
  return {
    messageId: envelope.messageId,
    type: envelope.type,
    schemaVersion: command.version,
    orderId: envelope.orderId,
    idempotencyKey: envelope.idempotencyKey,
    attempt: envelope.attempt,
    occurredAt: envelope.occurredAt,
    ...(envelope.traceparent === undefined ? {} : { traceparent: envelope.traceparent }),
    payload: checked.value,
  };
}
