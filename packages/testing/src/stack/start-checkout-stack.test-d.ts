// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import { expectTypeOf } from 'vitest';
import {
  type CheckoutStack,
  type CheckoutStackInfo,
  createTestQueue,
  type ServiceStartError,
  type StartCheckoutStackOptions,
  startCheckoutStack,
  type TestingConfigError,
  type TestingError,
  type TestingErrorCode,
  type TestQueue,
  type TestQueueWithDlq,
} from '../index.js';

// Every option is optional; the result is a running stack whose info is serializable.
expectTypeOf(startCheckoutStack).parameter(0).toEqualTypeOf<StartCheckoutStackOptions | undefined>();
expectTypeOf(startCheckoutStack()).resolves.toEqualTypeOf<CheckoutStack>();
expectTypeOf<CheckoutStack['info']>().toEqualTypeOf<CheckoutStackInfo>();
expectTypeOf<CheckoutStackInfo['startupMs']['postgres']>().toEqualTypeOf<number>();
startCheckoutStack({ mode: 'embedded', region: 'eu-west-1', postgres: { maxConnections: 50, durable: false } });
startCheckoutStack({ env: { CHECKOUT_POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/db', UNSET: undefined } });
// @ts-expect-error an unknown mode
startCheckoutStack({ mode: 'cloud' });
// @ts-expect-error maxConnections is a number
startCheckoutStack({ postgres: { maxConnections: '50' } });
// @ts-expect-error no such option
startCheckoutStack({ timeoutMs: 1000 });

// createTestQueue: with maxReceiveCount the DLQ is always there.
const sqs = {
  clientConfig: {
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  },
};
expectTypeOf(createTestQueue(sqs, { maxReceiveCount: 3 })).resolves.toEqualTypeOf<TestQueueWithDlq>();
expectTypeOf(createTestQueue(sqs)).resolves.toEqualTypeOf<TestQueue>();
expectTypeOf<TestQueue['dlq']>().toEqualTypeOf<TestQueueWithDlq['dlq'] | undefined>();
// @ts-expect-error the visibility timeout is whole seconds (SQS's unit), named so
createTestQueue(sqs, { visibilityTimeout: 30 });

// Errors: one base with a union of TESTING_ codes; config errors always name their field.
expectTypeOf<TestingError['code']>().toEqualTypeOf<TestingErrorCode>();
expectTypeOf<TestingConfigError['field']>().toEqualTypeOf<string>();
expectTypeOf<ServiceStartError['fix']>().toEqualTypeOf<string>();
expectTypeOf<Extract<TestingErrorCode, `TESTING_${string}`>>().toEqualTypeOf<TestingErrorCode>();
