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
let failed = run.status !== 0;
if (!existsSync(report)) failed = true;
else {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numFailedTestSuites, success } = JSON.parse(
    readFileSync(report, 'utf8'),
  );
  // Decide from the report too: a library hook calling process.exit(0) once turned a red run green.
  if (numFailedTests > 0 || numFailedTestSuites > 0 || success !== true) failed = true;
  const line = `Tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`;
  writeFileSync('.vitest/summary.txt', `${line}\n`);
  console.log(`\n${line}`);
}
process.exit(failed ? 1 : 0);
