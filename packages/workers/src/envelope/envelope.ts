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

/** Longest `type`, `orderId` and `idempotencyKey`, in UTF-16 units. */
const MAX_KEY_CHARS = 256;

/** ULID in Crockford base 32 (either case), first character 0-7 (48-bit timestamp). */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;

/** RFC 3339 date-time with seconds and a `Z` or `±hh:mm` offset; the calendar date is checked. */
const DATE =
  '(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))';
const ISO_DATETIME = new RegExp(
  `^${DATE}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`,
);

/** A problem found by {@link envelopeProblem}: the field at fault (none for the whole value) and why. */
export interface EnvelopeProblem {
  readonly field: string | undefined;
  readonly message: string;
}

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

const keyProblem = (value: unknown): string | undefined =>
  typeof value !== 'string'
    ? `expected a string, got ${describe(value)}`
    : value.length === 0 || value.length > MAX_KEY_CHARS
      ? `must be 1 to ${MAX_KEY_CHARS} characters long`
      : undefined;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * The first problem of a would-be envelope (payload unchecked: the command's schema checks it), or
 * `undefined` when it is one. A tolerant reader: unknown top-level fields are accepted (a newer
 * producer may add one during a rolling deploy), while every known field is checked strictly, in
 * this order: `envelopeVersion` (optional integer >= 1), `messageId` (ULID), `type` (1-256
 * characters), `schemaVersion` (integer >= 1), `orderId`, `idempotencyKey` (1-256 characters),
 * `attempt` (integer >= 1), `occurredAt` (RFC 3339 with seconds and an offset), `traceparent`
 * (optional W3C trace context), `payload` (present).
 */
export function envelopeProblem(value: unknown): EnvelopeProblem | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { field: undefined, message: `expected an object, got ${describe(value)}` };
  }
  const candidate = value as Readonly<Record<string, unknown>>;
  const problems: ReadonlyArray<readonly [string, () => string | undefined]> = [
    [
      'envelopeVersion',
      () =>
        candidate.envelopeVersion === undefined || isPositiveInteger(candidate.envelopeVersion)
          ? undefined
          : 'must be an integer >= 1',
    ],
    [
      'messageId',
      () => (typeof candidate.messageId === 'string' && ULID.test(candidate.messageId) ? undefined : 'must be a ULID'),
    ],
    ['type', () => keyProblem(candidate.type)],
    ['schemaVersion', () => (isPositiveInteger(candidate.schemaVersion) ? undefined : 'must be an integer >= 1')],
    ['orderId', () => keyProblem(candidate.orderId)],
    ['idempotencyKey', () => keyProblem(candidate.idempotencyKey)],
    ['attempt', () => (isPositiveInteger(candidate.attempt) ? undefined : 'must be an integer >= 1')],
    [
      'occurredAt',
      () =>
        typeof candidate.occurredAt === 'string' && ISO_DATETIME.test(candidate.occurredAt)
          ? undefined
          : 'must be an ISO-8601 date-time with seconds and an offset (2026-01-01T00:00:00Z)',
    ],
    [
      'traceparent',
      () =>
        candidate.traceparent === undefined ||
        (typeof candidate.traceparent === 'string' && TRACEPARENT.test(candidate.traceparent))
          ? undefined
          : 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)',
    ],
    ['payload', () => (Object.hasOwn(candidate, 'payload') ? undefined : 'is required')],
  ];
  for (const [field, check] of problems) {
    const message = check();
    if (message !== undefined) return { field, message };
  }
  return undefined;
}
