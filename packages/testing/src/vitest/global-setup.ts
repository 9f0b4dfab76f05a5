import type { TestProject } from 'vitest/node';
import { startCheckoutStack } from '../stack/start-checkout-stack.js';
import type { CheckoutStackInfo } from '../stack/types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the stack started once for this test run. */
    checkoutStack: CheckoutStackInfo;
  }
}

/**
 * Vitest global setup: starts the stack once per run and provides its endpoints to every test
 * (`inject('checkoutStack')`, or `useCheckoutStack()` from `@checkout/testing/vitest`). Add it with
 * `test.globalSetup: ['@checkout/testing/vitest-global-setup']`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startCheckoutStack();
  project.provide('checkoutStack', stack.info);
  return () => stack.stop();
}
