import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Clock, fieldPath, storedTextProblem, tableNameProblem, utf8Bytes } from '@checkout/core';
import { InventoryConfigError, InventoryInputError, TooManyLinesError } from '../errors.js';

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
// (U+0000 is refused by core's stored-text rule already; this adds the rest of C0 and DEL.)
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Checks a DynamoDB table name (core's rule); throws {@link InventoryConfigError} (`tableName`). */
export function validateTableName(tableName: unknown): asserts tableName is string {
  const problem = tableNameProblem(tableName);
  if (problem !== undefined) throw new InventoryConfigError('tableName', problem);
}

/** Checks the client and table options shared by the inventory and the cart snapshot store. */
export function checkTableOptions(options: unknown): asserts options is { client: DynamoDBClient; tableName: string } {
  if (typeof options !== 'object' || options === null) {
    throw new InventoryConfigError('options', 'must be an object { client, tableName, ... }');
  }
  const { client, tableName } = options as { client?: unknown; tableName?: unknown };
  if (typeof client !== 'object' || client === null || typeof (client as { send?: unknown }).send !== 'function') {
    throw new InventoryConfigError('client', 'must be a DynamoDBClient');
  }
  validateTableName(tableName);
}

/**
 * Checks an identifier used inside a key (order id, SKU, customer id, attempt id): non-empty, text
 * DynamoDB keeps exactly (core's `storedTextProblem`: no U+0000, no unpaired surrogate, which
 * DynamoDB would merge with other strings into one key), at most 512 UTF-8 bytes, and no control
 * characters (U+0001-U+001F, U+007F). Throws {@link InventoryInputError} naming `field`.
 */
export function validateId(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InventoryInputError(field, 'must be a non-empty string');
  }
  const problem = storedTextProblem(value);
  if (problem !== undefined) {
    throw new InventoryInputError(field, `${problem} (DynamoDB would not keep it apart from other ids)`);
  }
  if (utf8Bytes(value) > MAX_ID_BYTES) {
    throw new InventoryInputError(field, `must be at most ${MAX_ID_BYTES} bytes in UTF-8`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw new InventoryInputError(field, 'must not contain control characters');
  }
}

/** Why `value` is not a whole number from 1 to `max`, or `undefined`. */
export function positiveIntegerProblem(value: unknown, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    return `must be a whole number from 1 to ${max}, got ${String(value)}`;
  }
  return undefined;
}

/** A whole number from 1 to `max` passed to a method; throws {@link InventoryInputError} naming `field`. */
export function validatePositiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  const problem = positiveIntegerProblem(value, max);
  if (problem !== undefined) throw new InventoryInputError(field, problem);
  return value as number;
}

/** A whole number from 1 to `max` given as an option; throws {@link InventoryConfigError} naming `field`. */
export function validatePositiveOption(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  const problem = positiveIntegerProblem(value, max);
  if (problem !== undefined) throw new InventoryConfigError(field, problem);
  return value as number;
}

/** Why `value` is not an instant in epoch milliseconds (a finite number >= 0), or `undefined`. */
export function epochMsProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 8.64e15) {
    return `must be epoch milliseconds (a finite number >= 0), got ${typeof value === 'number' ? value : typeof value}`;
  }
  return undefined;
}

/**
 * Validates an order's lines and merges repeated SKUs (one transaction may not touch an item twice).
 * Returns the lines sorted by SKU, so the same order always produces the same reservation.
 */
export function normalizeLines(lines: unknown): ReservationLine[] {
  if (!Array.isArray(lines) || lines.length === 0) {
    throw new InventoryInputError('lines', 'must be a non-empty array of { sku, quantity }');
  }
  const merged = new Map<string, number>();
  lines.forEach((line: unknown, index) => {
    if (typeof line !== 'object' || line === null) {
      throw new InventoryInputError(fieldPath('lines', index), 'must be an object { sku, quantity }');
    }
    const { sku, quantity } = line as { sku?: unknown; quantity?: unknown };
    validateId(fieldPath('lines', index, 'sku'), sku);
    validatePositiveInteger(fieldPath('lines', index, 'quantity'), quantity, 1_000_000_000);
    const total = (merged.get(sku) ?? 0) + (quantity as number);
    if (total > 1_000_000_000) {
      throw new InventoryInputError(fieldPath('lines', index, 'quantity'), 'total per SKU must be at most 1000000000');
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
 * The `now` option as a checked clock (epoch ms, default `Date.now`): throws
 * {@link InventoryConfigError} (`now`) at creation when it is not a function, and on each call
 * (before any request) when it returns anything but epoch milliseconds. Fractions are floored.
 */
export function checkedClock(now: unknown): Clock {
  if (now === undefined) return Date.now;
  if (typeof now !== 'function') {
    throw new InventoryConfigError('now', 'must be a function returning epoch milliseconds (like Date.now)');
  }
  return () => {
    const value: unknown = now();
    const problem = epochMsProblem(value);
    if (problem !== undefined)
      throw new InventoryConfigError('now', `the clock ${problem.replace(/^must/, 'must return')}`);
    return Math.floor(value as number);
  };
}
