import { z } from 'zod';

/** W3C trace-context `traceparent` header value. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The JSON shape every checkout command travels in (SQS message body). Producers (the outbox)
 * write it with `encode`; consumers read it with `decode`.
 */
export interface Envelope<TType extends string = string, TPayload = unknown> {
  /** ULID chosen by the producer; stable across redeliveries and redrives. */
  readonly messageId: string;
  /** Command type, e.g. `AuthorizePayment`. */
  readonly type: TType;
  /** Version of the payload schema the producer wrote. */
  readonly schemaVersion: number;
  /** The order this command is about (also the FIFO group key). */
  readonly orderId: string;
  /** Key the handler's side effect is made idempotent with (e.g. the provider's request id). */
  readonly idempotencyKey: string;
  /** Producer-side attempt counter, starting at 1. */
  readonly attempt: number;
  /** ISO-8601 instant the producer created the command. */
  readonly occurredAt: string;
  /** W3C `traceparent` of the producing request, when traced. */
  readonly traceparent?: string;
  /** Command payload, validated against the command's schema. */
  readonly payload: TPayload;
}

/**
 * Envelope format version this package reads and writes. A version is bumped only for a breaking
 * change of the envelope itself (a known field renamed, retyped or made required); additive changes
 * (a new optional top-level field) keep it, because readers ignore fields they do not know.
 * `encode` omits the field while it is 1, so consumers that predate it keep reading our messages.
 */
export const ENVELOPE_VERSION = 1;

/**
 * Zod schema of the envelope (payload unchecked: the command's schema checks it). A tolerant
 * reader: unknown top-level fields are accepted and stripped (a newer producer may add one during a
 * rolling deploy), while every known field is validated strictly.
 */
export const envelopeSchema = z.object({
  envelopeVersion: z.int().min(1).optional(),
  messageId: z.ulid(),
  type: z.string().min(1).max(256),
  schemaVersion: z.int().min(1),
  orderId: z.string().min(1).max(256),
  idempotencyKey: z.string().min(1).max(256),
  attempt: z.int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  traceparent: z.string().regex(TRACEPARENT).optional(),
  payload: z.unknown(),
});

/** Dotted path of a zod issue (`payload.amount`), or `(root)`. */
export function issuePath(path: readonly PropertyKey[], prefix?: string): string {
  const parts = [...(prefix === undefined ? [] : [prefix]), ...path.map(String)];
  return parts.length === 0 ? '(root)' : parts.join('.');
}
