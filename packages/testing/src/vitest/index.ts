import { inject } from 'vitest';
import { TestingConfigError } from '../errors.js';
import type { CheckoutStackInfo } from '../stack/types.js';
import './global-setup.js';

export { PROPERTY_ENV, type PropertyReplay, propertyReplay, propertyRuns } from './property-runs.js';

/**
 * The endpoints of the stack that `@checkout/testing/vitest-global-setup` started for this run.
 * Without that global setup it throws `TestingConfigError` (field `test.globalSetup`).
 *
 * @example
 * ```ts
 * import { createTestSchema } from '@checkout/testing';
 * import { useCheckoutStack } from '@checkout/testing/vitest';
 *
 * const stack = useCheckoutStack();
 * const schema = await createTestSchema(stack.postgres);
 * ```
 */
export function useCheckoutStack(): CheckoutStackInfo {
  const stack = inject('checkoutStack');
  if (stack === undefined) {
    throw new TestingConfigError(
      'test.globalSetup',
      "must include '@checkout/testing/vitest-global-setup' (checkoutStack was not provided)",
    );
  }
  return stack;
}
