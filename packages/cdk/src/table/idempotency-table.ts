import { CheckoutTable, type CheckoutTableProps } from './checkout-table.js';

/** Props of {@link IdempotencyTable}: `definition` is required (pass `idempotencyTableDefinition`). */
export type IdempotencyTableProps = CheckoutTableProps;

/**
 * The DynamoDB table of `@checkout/idempotency`'s DynamoDB store. Pass that package's exported
 * `idempotencyTableDefinition` (`@checkout/idempotency/dynamodb`): the table is deployed with the keys and
 * TTL attribute the store reads and writes, never a copy that could drift.
 *
 * @example
 * ```ts
 * import { IdempotencyTable } from '@checkout/cdk';
 * import { idempotencyTableDefinition } from '@checkout/idempotency/dynamodb';
 * import { App, Stack } from 'aws-cdk-lib';
 *
 * const stack = new Stack(new App(), 'Checkout');
 * new IdempotencyTable(stack, 'Idempotency', { definition: idempotencyTableDefinition });
 * ```
 */
export class IdempotencyTable extends CheckoutTable {}
