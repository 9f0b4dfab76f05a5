import { InvalidInputError, TooManyLinesError } from '../errors.js';

/** One line of an order: how many units of which SKU. */
export interface ReservationLine {
  readonly sku: string;
  readonly quantity: number;
}

/**
 * The most distinct SKUs in one reservation: `TransactWriteItems` takes 100 actions, one per SKU's
 * stock item plus one for the reservation item.
 */
export const MAX_RESERVATION_LINES = 99;

// In UTF-8 bytes: keeps `pendingDeadline` (16 + id bytes) under DynamoDB's 1,024-byte sort-key limit.
const MAX_ID_BYTES = 512;
// Control characters would make keys unreadable in logs and consoles; nothing legitimate uses them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// In unicode mode a surrogate pair is one code point, so `\p{Cs}` matches only an unpaired surrogate.
// DynamoDB cannot keep such strings apart (measured on DynamoDB Local: `a\ud800` and `a\udc00` are one key).
const LONE_SURROGATE = /\p{Cs}/u;

/** Checks a DynamoDB table name (the service's own rule); throws {@link InvalidInputError}. */
export function validateTableName(tableName: unknown): asserts tableName is string {
  if (typeof tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new InvalidInputError('tableName', 'must be 3-255 characters of [A-Za-z0-9_.-]');
  }
}

/**
 * Checks an identifier used inside a key (order id, SKU, customer id, attempt id): non-empty, at most 512
 * UTF-8 bytes, no control characters (U+0000-U+001F, U+007F), and well-formed UTF-16 (no unpaired
 * surrogate, which DynamoDB would merge with other strings into one key).
 */
export function validateId(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError(field, 'must be a non-empty string');
  }
  const lone = LONE_SURROGATE.exec(value);
  if (lone !== null) {
    throw new InvalidInputError(
      field,
      `must be well-formed UTF-16: unpaired surrogate at index ${lone.index} (DynamoDB would not keep it apart from other ids)`,
    );
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_ID_BYTES) {
    throw new InvalidInputError(field, `must be at most ${MAX_ID_BYTES} bytes in UTF-8`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw new InvalidInputError(field, 'must not contain control characters');
  }
}

/** Checks a positive whole number of seconds. */
export function validatePositiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new InvalidInputError(field, `must be a whole number from 1 to ${max}`);
  }
  return value;
}

/**
 * Validates an order's lines and merges repeated SKUs (one transaction may not touch an item twice).
 * Returns the lines sorted by SKU, so the same order always produces the same reservation.
 */
export function normalizeLines(lines: unknown): ReservationLine[] {
  if (!Array.isArray(lines) || lines.length === 0) {
    throw new InvalidInputError('lines', 'must be a non-empty array of { sku, quantity }');
  }
  const merged = new Map<string, number>();
  lines.forEach((line: unknown, index) => {
    if (typeof line !== 'object' || line === null) {
      throw new InvalidInputError(`lines[${index}]`, 'must be an object { sku, quantity }');
    }
    const { sku, quantity } = line as { sku?: unknown; quantity?: unknown };
    validateId(`lines[${index}].sku`, sku);
    validatePositiveInteger(`lines[${index}].quantity`, quantity, 1_000_000_000);
    const total = (merged.get(sku) ?? 0) + (quantity as number);
    if (total > 1_000_000_000) {
      throw new InvalidInputError(`lines[${index}].quantity`, 'total per SKU must be at most 1000000000');
    }
    merged.set(sku, total);
  });
  if (merged.size > MAX_RESERVATION_LINES) {
    throw new TooManyLinesError(merged.size, MAX_RESERVATION_LINES);
  }
  return [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * The `now` option as a checked clock: throws {@link InvalidInputError} (`now`) at construction when it
 * is not a function, and on each call (before any request) when it returns anything but a valid `Date`.
 */
export function checkedClock(now: unknown): () => Date {
  if (now === undefined) return () => new Date();
  if (typeof now !== 'function') throw new InvalidInputError('now', 'must be a function returning a Date');
  return () => {
    const value: unknown = now();
    if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
      throw new InvalidInputError('now', 'must return a valid Date');
    }
    return value;
  };
}
