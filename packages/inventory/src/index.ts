export {
  type CartSnapshot,
  CartSnapshotStore,
  type CartSnapshotStoreOptions,
  MAX_CART_BYTES,
} from './carts/cart-snapshot-store.js';
export {
  CartTooLargeError,
  CorruptRecordError,
  InvalidInputError,
  InventoryError,
  type InventoryErrorCode,
  ReservationMismatchError,
  ReservationNotFoundError,
  ReservationStateError,
  StockUnderflowError,
  TooManyLinesError,
  TransactionContentionError,
} from './errors.js';
export { Inventory, type InventoryOptions } from './inventory.js';
export type { Reservation, ReservationStatus } from './reservations/reservation.js';
export type { ReserveOptions, ReserveResult, StockShortage } from './reservations/reserve.js';
export type { SettleResult } from './reservations/settle.js';
export type { SweepOptions, SweepResult } from './reservations/sweep-expired.js';
export type { RetryPolicy } from './retry/backoff.js';
export type { StockLevel } from './stock/stock.js';
export {
  createInventoryTableInput,
  type DynamoKeyAttribute,
  type DynamoTableDefinition,
  inventoryTableDefinition,
  inventoryTimeToLiveInput,
  PENDING_INDEX_NAME,
} from './table/table-definition.js';
export { MAX_RESERVATION_LINES, type ReservationLine } from './validation/validate-input.js';
