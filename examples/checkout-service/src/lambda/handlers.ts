/**
 * Every Lambda the CDK app deploys, one entry each: `src/lambda/<name>.ts` exporting `handler`,
 * bundled by `pnpm build:lambda` to `dist/lambda/<name>/index.mjs`. Adding a function is one name
 * here plus its entry file; the CDK app, the bundler, the template-driven test and `pnpm bench
 * lambda` all read this list.
 */
export const LAMBDA_HANDLERS = [
  'checkout-api',
  'reporting-api',
  'payment-worker',
  'inventory-worker',
  'fulfillment-worker',
  'notification-worker',
  'analytics-worker',
  'outbox-relay',
  'inventory-sweep',
  'deadline-sweeper',
] as const;

/** Name of one deployable unit (and of its bundle directory). */
export type LambdaHandlerName = (typeof LAMBDA_HANDLERS)[number];
