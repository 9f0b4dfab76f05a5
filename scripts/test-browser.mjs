// `pnpm test:browser [--screenshots]`: the browser tests (the `browser` vitest project: the
// operations console in Debian's chromium against the example on the local stack), then the same
// closing line as `pnpm test`. `--screenshots` rewrites packages/console/docs/*.png.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const screenshots = args.includes('--screenshots');
const run = spawnSync(
  'node',
  ['scripts/test.mjs', '--project', 'browser', ...args.filter((a) => a !== '--screenshots')],
  {
    stdio: 'inherit',
    env: { ...process.env, CHECKOUT_BROWSER: '1', ...(screenshots ? { CHECKOUT_SCREENSHOTS: '1' } : {}) },
  },
);
process.exit(run.status ?? 1);
