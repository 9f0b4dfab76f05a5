import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { HandlerName } from './checkout-service-stack.js';

/** Where `pnpm --filter @checkout/example-checkout-service build:lambda` writes the bundles. */
export const DEFAULT_LAMBDA_DIST = fileURLToPath(new URL('../../dist/lambda', import.meta.url));

/**
 * Code for each handler: `<dist>/<handler>/` (an `index.mjs` exporting `handler`, as `build:lambda`
 * writes it) when `dist` is given, else an inline placeholder that fails every invocation, so
 * messages stay in their queues (then DLQs) instead of being acknowledged by a stub. The placeholder
 * is only ever used when asked for (`pnpm synth --placeholder-code`, or `undefined` here). A missing
 * bundle throws naming the handler and the command that builds it. Synthesis never bundles.
 */
export function lambdaCode(dist: string | undefined): (handler: HandlerName) => lambda.Code {
  if (dist === undefined) {
    return (handler) =>
      lambda.Code.fromInline(
        `exports.handler = async () => { throw new Error('checkout-service: ${handler} was deployed with placeholder code; run pnpm synth without --placeholder-code'); };`,
      );
  }
  return (handler) => {
    const dir = resolve(join(dist, handler));
    if (!existsSync(join(dir, 'index.mjs'))) {
      throw new Error(
        `${dir}/index.mjs not found: build the ${handler} bundle first (pnpm --filter @checkout/example-checkout-service build:lambda)`,
      );
    }
    return lambda.Code.fromAsset(dir);
  };
}
