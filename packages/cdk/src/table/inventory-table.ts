import type { Construct } from 'constructs';
import { CheckoutTable, type CheckoutTableProps } from './checkout-table.js';
import { defaultInventoryTableDefinition } from './dynamo-table-definition.js';

/** Props of {@link InventoryTable}: every {@link CheckoutTableProps} field, the definition optional. */
export type InventoryTableProps = Partial<CheckoutTableProps>;

/**
 * The DynamoDB table of `@checkout/inventory` (stock, reservations, cart snapshots). Pass that package's
 * exported `inventoryTableDefinition` (it carries its GSIs); without one, the contract default
 * (`pk` S + `sk` S, TTL on `expiresAt`) is used.
 */
export class InventoryTable extends CheckoutTable {
  constructor(scope: Construct, id: string, props: InventoryTableProps = {}) {
    super(scope, id, { ...props, definition: props.definition ?? defaultInventoryTableDefinition });
  }
}
