import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaCode } from './lambda-code.js';

const dist = mkdtempSync(join(tmpdir(), 'checkout-dist-'));
mkdirSync(join(dist, 'payment-worker'));
writeFileSync(
  join(dist, 'payment-worker', 'index.mjs'),
  'export const handler = async () => ({ batchItemFailures: [] });\n',
);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('lambdaCode', () => {
  it('uses the built folder of each handler when CHECKOUT_LAMBDA_DIST is set', () => {
    expect(lambdaCode(dist)('payment-worker')).toBeInstanceOf(lambda.AssetCode);
  });

  it('names the missing bundle instead of deploying an empty one', () => {
    expect(() => lambdaCode(dist)('outbox-relay')).toThrow(
      /outbox-relay\/index\.mjs not found: build the outbox-relay bundle first \(pnpm --filter @checkout\/example-checkout-service build:lambda\)/,
    );
  });

  it('gives, only when asked for, a placeholder that fails every invocation, so no message is acknowledged by a stub', () => {
    const code = lambdaCode(undefined)('payment-worker');
    expect(code).toBeInstanceOf(lambda.InlineCode);
    expect((code as lambda.InlineCode).bind(undefined as never).inlineCode).toContain('throw new Error');
  });
});
