// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import type { DynamoTableDefinition } from '@checkout/core';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { expectTypeOf } from 'vitest';
import {
  type CheckoutCdkConfigError,
  CheckoutCdkError,
  type CheckoutCdkErrorCode,
  CheckoutQueue,
  CheckoutTable,
  IdempotencyTable,
  type IdempotencyTableProps,
  InventoryTable,
  type InventoryTableProps,
} from '../index.js';

const stack = new Stack(new App(), 'Types');
const definition: DynamoTableDefinition = { partitionKey: { name: 'pk', type: 'S' }, timeToLiveAttribute: 'expiresAt' };

// The definition is required: the deployed table is always the one the runtime package exports.
new IdempotencyTable(stack, 'A', { definition });
new InventoryTable(stack, 'B', { definition, tableName: 'inventory' });
new CheckoutTable(stack, 'C', { definition });
// @ts-expect-error no definition
new IdempotencyTable(stack, 'D', {});
// @ts-expect-error no props at all
new InventoryTable(stack, 'E');
// @ts-expect-error a key type DynamoDB does not have
new CheckoutTable(stack, 'F', { definition: { partitionKey: { name: 'pk', type: 'SS' }, timeToLiveAttribute: 'x' } });

expectTypeOf<IdempotencyTableProps['definition']>().toEqualTypeOf<DynamoTableDefinition>();
expectTypeOf<InventoryTableProps['definition']>().toEqualTypeOf<DynamoTableDefinition>();
expectTypeOf(new InventoryTable(stack, 'G', { definition }).definition).toEqualTypeOf<DynamoTableDefinition>();

// Durations in props are CDK `Duration`s (the unit is in the type), never plain numbers.
new CheckoutQueue(stack, 'Q', { consumerTimeout: Duration.seconds(30) });
// @ts-expect-error a plain number has no unit
new CheckoutQueue(stack, 'R', { consumerTimeout: 30 });

// Errors: one base with a union of CDK_ codes; the config error always names its field.
expectTypeOf<CheckoutCdkError['code']>().toEqualTypeOf<CheckoutCdkErrorCode>();
expectTypeOf<CheckoutCdkConfigError['field']>().toEqualTypeOf<string>();
expectTypeOf<CheckoutCdkErrorCode>().toEqualTypeOf<
  'CDK_INVALID_CONFIG' | 'CDK_VISIBILITY_TIMEOUT_TOO_SHORT' | 'CDK_CONCURRENCY_MISCONFIGURED'
>();
expectTypeOf(new CheckoutCdkError('CDK_INVALID_CONFIG', 'S', 'm')).toHaveProperty('constructPath');
// @ts-expect-error codes are prefixed CDK_
new CheckoutCdkError('INVALID_CONSTRUCT_PROPS', 'S', 'm');
