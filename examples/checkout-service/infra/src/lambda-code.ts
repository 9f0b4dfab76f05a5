import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { HandlerName } from './checkout-service-stack.js';

/**
 * Code for each handler: `<dist>/<handler>/` (an `index.mjs` exporting `handler`) when `dist` is given,
 * else an inline placeholder that fails every invocation, so messages stay in their queues (then DLQs)
 * instead of being acknowledged by a stub. Synthesis never bundles (offline, fast, reproducible).
 */
export function lambdaCode(dist: string | undefined): (handler: HandlerName) => lambda.Code {
  if (dist === undefined) {
    return (handler) =>
      lambda.Code.fromInline(
        `exports.handler = async () => { throw new Error('checkout-service: ${handler} was deployed with placeholder code; set CHECKOUT_LAMBDA_DIST'); };`,
      );
  }
  return (handler) => {
    const dir = resolve(join(dist, handler));
    if (!existsSync(join(dir, 'index.mjs'))) {
      throw new Error(`CHECKOUT_LAMBDA_DIST: ${dir}/index.mjs not found (build the ${handler} bundle first)`);
    }
    return lambda.Code.fromAsset(dir);
  };
}
