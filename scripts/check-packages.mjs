// Builds every publishable package, then validates what `pnpm pack` would publish: publint (exports,
// files, types) and @arethetypeswrong/cli (types resolve for ESM consumers under node16 and bundler).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });
const packages = readdirSync('packages')
  .map((name) => join('packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);

run('pnpm', ['-r', '--filter', './packages/*', 'run', 'build']);
let failed = 0;
for (const dir of packages) {
  console.log(`\n== ${dir}`);
  try {
    run('pnpm', ['exec', 'publint', dir, '--strict', '--pack', 'pnpm']);
    run('pnpm', ['exec', 'attw', '--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']);
  } catch {
    failed += 1;
  }
}
if (failed > 0) {
  console.error(`\ncheck:packages: ${failed} of ${packages.length} package(s) failed`);
  process.exit(1);
}
console.log(`\ncheck:packages: ${packages.length} package(s) ok`);
