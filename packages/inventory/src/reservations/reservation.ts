import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { fieldPath } from '@checkout/core';
import { CorruptRecordError } from '../errors.js';
import type { ReservationLine } from '../validation/validate-input.js';

/**
 * Life of a reservation. `PENDING` holds stock; `COMMITTED` consumed it (fulfilment);
 * `RELEASED` returned it on request; `EXPIRED` returned it because the deadline passed.
 */
export type ReservationStatus = 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';

/** A reservation as stored: one per order, holding every line. */
export interface Reservation {
  readonly orderId: string;
  /** Lines sorted by SKU, repeated SKUs merged. */
  readonly lines: readonly ReservationLine[];
  readonly status: ReservationStatus;
  /** When the stock was taken. */
  readonly reservedAt: Date;
  /** After this instant a pending reservation may be expired by the sweeper. */
  readonly reservedUntil: Date;
  /** When it left `PENDING`, if it did. */
  readonly settledAt?: Date;
}

const STATUSES: readonly ReservationStatus[] = ['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED'];

type Item = Record<string, AttributeValue>;

function readString(item: Item, field: string): string {
  const value = item[field]?.S;
  if (value === undefined) throw new CorruptRecordError(field, 'is missing or not a string');
  return value;
}

function readNumber(item: Item, field: string): number {
  const raw = item[field]?.N;
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isSafeInteger(value)) throw new CorruptRecordError(field, 'is missing or not an integer');
  return value;
}

/** Parses a reservation item read back from the table; throws {@link CorruptRecordError}. */
export function reservationFromItem(item: Item): Reservation {
  const status = readString(item, 'status');
  if (!STATUSES.includes(status as ReservationStatus)) {
    throw new CorruptRecordError('status', `has unknown value ${JSON.stringify(status)}`);
  }
  const rawLines = item.lines?.L;
  if (rawLines === undefined || rawLines.length === 0) throw new CorruptRecordError('lines', 'is missing or empty');
  const lines = rawLines.map((entry, index) => {
    const map = entry.M;
    if (map === undefined) throw new CorruptRecordError(fieldPath('lines', index), 'is not a map');
    const quantity = readNumber(map, 'quantity');
    if (quantity <= 0) throw new CorruptRecordError(fieldPath('lines', index, 'quantity'), 'is not positive');
    return { sku: readString(map, 'sku'), quantity };
  });
  const settledAt = item.settledAt === undefined ? undefined : new Date(readNumber(item, 'settledAt'));
  const reservation: Reservation = {
    orderId: readString(item, 'orderId'),
    lines,
    status: status as ReservationStatus,
    reservedAt: new Date(readNumber(item, 'reservedAt')),
    reservedUntil: new Date(readNumber(item, 'reservedUntil')),
  };
  return settledAt === undefined ? reservation : { ...reservation, settledAt };
}

/** The `lines` attribute value of a reservation item. */
export function linesToAttribute(lines: readonly ReservationLine[]): AttributeValue {
  return {
    L: lines.map((line) => ({ M: { sku: { S: line.sku }, quantity: { N: String(line.quantity) } } })),
  };
}

/** True when two normalized line lists are the same order. */
export function sameLines(a: readonly ReservationLine[], b: readonly ReservationLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, index) => line.sku === b[index]?.sku && line.quantity === b[index]?.quantity)
  );
}

/** Units of one line taken from one stock item of its SKU (`slot` -1 is the SKU's main item). */
export interface LinePart {
  readonly slot: number;
  readonly quantity: number;
}

/**
 * The `allocations` attribute: per line (in `lines` order), the stock items its units came from.
 * Written only when some line used a shard item; a reservation without it took every line from the
 * SKU's main item (as every reservation did before sharding existed).
 */
export function allocationsToAttribute(allocations: readonly (readonly LinePart[])[]): AttributeValue | undefined {
  const plain = allocations.every((parts) => parts.length === 1 && parts[0]?.slot === -1);
  if (plain) return undefined;
  return {
    L: allocations.map((parts) => ({
      L: parts.map((part) => ({ M: { slot: { N: String(part.slot) }, quantity: { N: String(part.quantity) } } })),
    })),
  };
}

/** Where each line's units came from (the main item for every line when the item has no `allocations`). */
export function allocationsFromItem(item: Item, lines: readonly ReservationLine[]): LinePart[][] {
  const raw = item.allocations?.L;
  if (raw === undefined) return lines.map((line) => [{ slot: -1, quantity: line.quantity }]);
  if (raw.length !== lines.length) throw new CorruptRecordError('allocations', 'does not match lines');
  return raw.map((entry, index) => {
    const parts = (entry.L ?? []).map((part, partIndex) => {
      const map = part.M;
      if (map === undefined) throw new CorruptRecordError(fieldPath('allocations', index, partIndex), 'is not a map');
      const slot = readNumber(map, 'slot');
      const quantity = readNumber(map, 'quantity');
      if (slot < -1 || quantity <= 0) {
        throw new CorruptRecordError(fieldPath('allocations', index, partIndex), 'is out of range');
      }
      return { slot, quantity };
    });
    const total = parts.reduce((sum, part) => sum + part.quantity, 0);
    if (total !== lines[index]?.quantity) {
      throw new CorruptRecordError(fieldPath('allocations', index), 'does not add up to the line quantity');
    }
    return parts;
  });
}
