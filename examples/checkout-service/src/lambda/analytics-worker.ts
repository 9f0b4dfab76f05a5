// The analytics stage's worker Lambda (SQS event source with ReportBatchItemFailures). Bundled by `pnpm build:lambda`.
import { createStageLambda } from './runtime/stage-lambda.js';

/** Lambda entry point. */
export const handler = await createStageLambda('analytics');
