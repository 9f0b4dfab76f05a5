import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLambdaBundles } from './test-support/ensure-bundles.js';

// bin/app.ts as `pnpm synth` and `cdk deploy` run it, in a child process with a clean settings environment.
// Slow (a child tsx + a strict synthesis: tens of seconds on a loaded machine), hence the long timeouts.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdirs: string[] = [];
// `bin/app.ts` deploys the real bundles: build them when a clean clone has none.
beforeAll(() => ensureLambdaBundles(), 120_000);
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function runApp(args: string[], env: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'checkout-app-'));
  outdirs.push(outdir);
  const { CHECKOUT_JWT_ISSUER_URL, CHECKOUT_JWT_AUDIENCE, CDK_CONTEXT_JSON, ...inherited } = process.env;
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'tsx'),
    ['--conditions=@checkout/source', 'bin/app.ts', ...args],
    { cwd: root, env: { ...inherited, CDK_OUTDIR: outdir, ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  it('`pnpm synth` (--placeholder-authorizer) synthesizes offline with the reserved placeholder issuer', () => {
    const run = runApp(['--placeholder-authorizer'], {});
    expect(run.stderr).toContain('note: JWT issuer is a placeholder (https://issuer.example.invalid/)');
    expect(run.status).toBe(0);
    const template = readFileSync(join(run.outdir, 'CheckoutService.template.json'), 'utf8');
    expect(template).toContain('"Issuer": "https://issuer.example.invalid/"');
  }, 180_000);

  it('without an issuer (as `cdk deploy` runs it) fails naming the setting, before synthesizing', () => {
    const missing = runApp([], {});
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('MissingSettingError');
    expect(missing.stderr).toContain('`checkout:jwtIssuerUrl` is missing');
  }, 180_000);
});
