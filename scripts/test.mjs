// `pnpm test`: vitest over every project, then one plain closing line "N passed, N failed, N skipped"
// read from vitest's JSON report, so any CI can read the result without knowing vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const report = '.vitest/results.json';
mkdirSync('.vitest', { recursive: true });
rmSync(report, { force: true });
const run = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
if (existsSync(report)) {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(readFileSync(report, 'utf8'));
  const line = `Tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`;
  writeFileSync('.vitest/summary.txt', `${line}\n`);
  console.log(`\n${line}`);
}
process.exit(run.status ?? 1);
