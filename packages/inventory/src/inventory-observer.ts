/** What {@link InventoryObserver.error} receives: a reservation the sweeper could not expire this time. */
export interface InventoryErrorEvent {
  /** The step that failed (`sweepExpired` expiring one reservation). */
  readonly operation: 'sweepExpired';
  /** The order whose reservation could not be expired; the next sweep tries it again. */
  readonly orderId: string;
  /** What was thrown (a `TransactionContentionError`, an AWS SDK error, ...). */
  readonly error: unknown;
}

/**
 * Hooks of an inventory, every one optional, called synchronously; a hook that throws is ignored (it
 * never breaks a sweep).
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createInventory } from '@checkout/inventory';
 *
 * const inventory = createInventory({
 *   client: new DynamoDBClient({}),
 *   tableName: 'checkout-inventory',
 *   observer: { error: (event) => console.error('sweep', event.orderId, event.error) },
 * });
 * ```
 */
export interface InventoryObserver {
  /** A reservation `sweepExpired` could not expire (counted in `failed`); it stays pending for the next sweep. */
  error?(event: InventoryErrorEvent): void;
}

/** Calls `observer.error`, ignoring a hook that throws. */
export function notifyError(observer: InventoryObserver | undefined, event: InventoryErrorEvent): void {
  try {
    observer?.error?.(event);
  } catch {
    // A failing hook must never break processing.
  }
}
