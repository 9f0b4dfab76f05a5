import { CheckoutTable, type CheckoutTableProps } from './checkout-table.js';

/** Props of {@link InventoryTable}: `definition` is required (pass `inventoryTableDefinition`). */
export type InventoryTableProps = CheckoutTableProps;

/**
 * The DynamoDB table of `@checkout/inventory` (stock, reservations, cart snapshots). Pass that package's
 * exported `inventoryTableDefinition` (it carries its indexes): the table is deployed with the keys, indexes
 * and TTL attribute the package reads and writes, never a copy that could drift.
 *
 * @example
 * ```ts
 * import { InventoryTable } from '@checkout/cdk';
 * import { inventoryTableDefinition } from '@checkout/inventory';
 * import { App, Stack } from 'aws-cdk-lib';
 *
 * const stack = new Stack(new App(), 'Checkout');
 * new InventoryTable(stack, 'Inventory', { definition: inventoryTableDefinition });
 * ```
 */
export class InventoryTable extends CheckoutTable {}
