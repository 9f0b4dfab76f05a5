// The reporting API Lambda (GET /reports/daily) on the proxy's read-only endpoint. Bundled by `pnpm build:lambda`.
import { createReportingHandler } from './reporting-handler.js';
import { createLambdaDatabase } from './runtime/lambda-database.js';
import { CHECKOUT_SCHEMA } from './runtime/lambda-deps.js';
import { lambdaEnvironment } from './runtime/lambda-environment.js';

const { db } = await createLambdaDatabase(lambdaEnvironment('reporting-api'));

/** Lambda entry point. */
export const handler = createReportingHandler(db, CHECKOUT_SCHEMA);
