import { inject } from 'vitest';
import type { CheckoutStackInfo } from '../stack/types.js';
import './global-setup.js';

/**
 * The endpoints of the stack that `@checkout/testing/vitest-global-setup` started for this run.
 *
 * @example
 * ```ts
 * const stack = useCheckoutStack();
 * const schema = await createTestSchema(stack.postgres);
 * ```
 */
export function useCheckoutStack(): CheckoutStackInfo {
  const stack = inject('checkoutStack');
  if (stack === undefined) {
    throw new Error('checkoutStack was not provided: add @checkout/testing/vitest-global-setup to test.globalSetup');
  }
  return stack;
}
