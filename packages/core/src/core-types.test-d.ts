import { expectTypeOf } from 'vitest';
import {
  type BackoffOptions,
  CheckoutError,
  type CheckoutHttpResponse,
  type Clock,
  createTableInput,
  type DynamoTableDefinition,
  isCheckoutError,
  type LambdaContextLike,
  toHttpResponse,
} from './index.js';

// isCheckoutError narrows unknown to the base with its fields.
declare const caught: unknown;
if (isCheckoutError(caught)) {
  expectTypeOf(caught.code).toEqualTypeOf<string>();
  expectTypeOf(caught.httpStatus).toEqualTypeOf<number>();
  expectTypeOf(caught.field).toEqualTypeOf<string | undefined>();
  expectTypeOf(caught.retryAfterSeconds).toEqualTypeOf<number | undefined>();
}

// A package base narrows `code` to its union.
type ShopCode = 'SHOP_CLOSED' | 'SHOP_FULL';
class ShopError extends CheckoutError {
  declare readonly code: ShopCode;
  constructor(code: ShopCode) {
    super(code, 'shop', { httpStatus: 409 });
  }
}
expectTypeOf(new ShopError('SHOP_CLOSED').code).toEqualTypeOf<ShopCode>();

expectTypeOf(toHttpResponse).returns.toEqualTypeOf<CheckoutHttpResponse | undefined>();

// Durations carry their unit; the clock is epoch milliseconds.
expectTypeOf<BackoffOptions>().toEqualTypeOf<{ readonly baseMs?: number; readonly maxMs?: number }>();
expectTypeOf<Clock>().toEqualTypeOf<() => number>();
expectTypeOf(Date.now).toExtend<Clock>();
// @ts-expect-error a Date-returning clock is not the convention
const dateClock: Clock = () => new Date();
void dateClock;

// The real Lambda context shape satisfies LambdaContextLike; an object without the method does not.
expectTypeOf<{ getRemainingTimeInMillis(): number; awsRequestId: string }>().toExtend<LambdaContextLike>();
// @ts-expect-error getRemainingTimeInMillis is required
const noDeadline: LambdaContextLike = {};
void noDeadline;

// Table definitions: key types are S, N or B only.
const definition: DynamoTableDefinition = { partitionKey: { name: 'pk', type: 'S' }, timeToLiveAttribute: 'ttl' };
expectTypeOf(createTableInput(definition, 'name').BillingMode).toEqualTypeOf<'PAY_PER_REQUEST'>();
// @ts-expect-error 'X' is not a DynamoDB key type
const badKey: DynamoTableDefinition = { partitionKey: { name: 'pk', type: 'X' }, timeToLiveAttribute: 'ttl' };
void badKey;
