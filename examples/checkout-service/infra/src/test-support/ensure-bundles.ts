import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambdas } from '@checkout/example-checkout-service/lambda-build';
import { LAMBDA_HANDLERS } from '@checkout/example-checkout-service/lambda-handlers';
import { DEFAULT_LAMBDA_DIST } from '../lambda-code.js';

/**
 * Builds the Lambda bundles (`build:lambda`) when any is missing, so a test run from a clean clone
 * synthesizes with real code. Returns the dist directory.
 */
export async function ensureLambdaBundles(): Promise<string> {
  const missing = LAMBDA_HANDLERS.filter((handler) => !existsSync(join(DEFAULT_LAMBDA_DIST, handler, 'index.mjs')));
  if (missing.length > 0) await bundleLambdas({ outDir: DEFAULT_LAMBDA_DIST, handlers: missing });
  return DEFAULT_LAMBDA_DIST;
}

/**
 * Builds every bundle afresh into a new temporary directory (what `build:lambda` writes, from the
 * sources as they are now: a stale `dist/` can never pass for the current code). Returns it.
 */
export async function buildFreshLambdaBundles(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'checkout-lambda-dist-'));
  await bundleLambdas({ outDir });
  return outDir;
}
