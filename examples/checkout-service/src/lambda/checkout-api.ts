// The checkout API Lambda behind the HTTP API (payload format 2.0, JWT authorizer): POST /checkout,
// GET /orders/{orderId}. Bundled by `pnpm build:lambda`.
import { createApiHandler } from './api-handler.js';
import { createLambdaDeps } from './runtime/lambda-deps.js';
import { lambdaEnvironment } from './runtime/lambda-environment.js';

const { deps } = await createLambdaDeps(lambdaEnvironment('checkout-api'), { inventory: true });

/** Lambda entry point. */
export const handler = createApiHandler(deps);
