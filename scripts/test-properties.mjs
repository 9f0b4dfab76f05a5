// `pnpm test:properties [--runs N] [--seed S --path P] [vitest args...]`: only the property files
// (`*.prop.test.ts`, every package), through scripts/test.mjs (same closing summary line).
// --runs N: a property with the default of 100 runs makes N; the ones with their own smaller
//   count (database-backed) scale by N/100 (propertyRuns in @checkout/testing/vitest).
// --seed S --path P: replay a failure fast-check printed; add the file and `-t '<test name>'` so
//   that only the failing property runs with them.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env = { ...process.env };
const rest = [];
const flags = { '--runs': 'CHECKOUT_PROP_RUNS', '--seed': 'CHECKOUT_PROP_SEED', '--path': 'CHECKOUT_PROP_PATH' };
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i] ?? '';
  const [name, inline] = arg.split(/=(.*)/s, 2);
  const variable = name === undefined ? undefined : flags[/** @type {keyof typeof flags} */ (name)];
  if (variable === undefined) {
    rest.push(arg);
    continue;
  }
  if (inline === undefined) i += 1;
  const value = inline ?? args[i];
  if (value === undefined || value === '') {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  env[variable] = value;
}
if (env.CHECKOUT_PROP_RUNS !== undefined && !/^[1-9][0-9]*$/.test(env.CHECKOUT_PROP_RUNS)) {
  console.error(`--runs must be a positive integer, got ${env.CHECKOUT_PROP_RUNS}`);
  process.exit(2);
}
// A long run outlasts the 60 s per-test bound of a plain `pnpm test`: scale it with the runs.
const scale = Math.max(1, Number(env.CHECKOUT_PROP_RUNS ?? 100) / 100);
const timeout = Math.round(60_000 * scale);
// vitest.config.ts reads CHECKOUT_PROP_ONLY: every project then includes only its property files, and
// file filters or `-t` in the arguments narrow that further.
env.CHECKOUT_PROP_ONLY = '1';
const run = spawnSync(process.execPath, ['scripts/test.mjs', `--testTimeout=${timeout}`, ...rest], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
