import type { Construct } from 'constructs';
import { CheckoutTable, type CheckoutTableProps } from './checkout-table.js';
import { defaultIdempotencyTableDefinition } from './dynamo-table-definition.js';

/** Props of {@link IdempotencyTable}: every {@link CheckoutTableProps} field, the definition optional. */
export type IdempotencyTableProps = Partial<CheckoutTableProps>;

/**
 * The DynamoDB table of `@checkout/idempotency`'s DynamoDB store. Pass that package's exported
 * `idempotencyTableDefinition`; without one, the contract default (`pk` S, TTL on `expiresAt`) is used.
 */
export class IdempotencyTable extends CheckoutTable {
  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id, { ...props, definition: props.definition ?? defaultIdempotencyTableDefinition });
  }
}
