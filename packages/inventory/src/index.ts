export {
  type CartSnapshot,
  type CartSnapshotStore,
  type CartSnapshotStoreOptions,
  createCartSnapshotStore,
  type GetCartSnapshotOptions,
  MAX_CART_BYTES,
  type SaveCartSnapshotOptions,
} from './carts/cart-snapshot-store.js';
export {
  CartTooLargeError,
  CorruptRecordError,
  InventoryConfigError,
  InventoryError,
  type InventoryErrorCode,
  InventoryInputError,
  ReservationMismatchError,
  ReservationNotFoundError,
  ReservationStateError,
  StockUnderflowError,
  TooManyLinesError,
  TransactionContentionError,
} from './errors.js';
export { createInventory, type Inventory, type InventoryOptions } from './inventory.js';
export type { InventoryErrorEvent, InventoryObserver } from './inventory-observer.js';
export type { Reservation, ReservationStatus } from './reservations/reservation.js';
export type { ReserveOptions, ReserveResult, StockShortage } from './reservations/reserve.js';
export type { CommitOptions, SettleResult } from './reservations/settle.js';
export type { SweepOptions, SweepResult } from './reservations/sweep-expired.js';
export type { SetStockOptions, StockLevel } from './stock/stock.js';
export { inventoryTableDefinition, PENDING_INDEX_NAME } from './table/table-definition.js';
export { MAX_RESERVATION_LINES, type ReservationLine } from './validation/validate-input.js';
