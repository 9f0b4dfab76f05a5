import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresNativePackage, stagePostgresBinaries } from './postgres-binaries.js';

const root = mkdtempSync(join(tmpdir(), 'ck-stage-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Stages the installed binaries into `root` from a separate Node process; resolves with its stdout. */
function stageInChild(): Promise<string> {
  const module = fileURLToPath(new URL('./postgres-binaries.ts', import.meta.url));
  const source = `import { findPostgresNativePackage, stagePostgresBinaries } from ${JSON.stringify(module)};
process.stdout.write(stagePostgresBinaries(findPostgresNativePackage(), ${JSON.stringify(root)}).initdb);`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@checkout/source', '--input-type=module', '-e', source],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`stager exited with ${code}`))));
  });
}

describe('stagePostgresBinaries', () => {
  it('three concurrent stagers end with one complete copy, reused, and no leftovers', async () => {
    const results = await Promise.all([stageInChild(), stageInChild(), stageInChild()]);
    expect(new Set(results).size).toBe(1);
    const staged = readdirSync(root);
    expect(staged).toHaveLength(1);
    const dir = join(root, staged[0] ?? '');
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'bin', 'initdb')).mode & 0o777).toBe(0o755);
    // The library links the native package's post-install step makes are there.
    expect(existsSync(join(dir, 'lib', 'libpq.so.5'))).toBe(true);
    // Staged once: a later call reuses the copy.
    expect(stagePostgresBinaries(findPostgresNativePackage(), root).initdb).toBe(results[0]);
  });
});
