import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerProcessConfig } from './checkout-environment.js';

/** What a worker process runs: relays and consumer (`both`), relays only, or the consumer only. */
export type WorkerRole = 'both' | 'relay' | 'consumer';

/** Worker processes that can be SIGKILLed and restarted (chaos). */
export interface ProcessFleet {
  /** The role of each process, by index. */
  readonly roles: readonly WorkerRole[];
  /** Processes killed so far, by role. */
  readonly killsByRole: Readonly<Record<WorkerRole, number>>;
  /** SIGKILLs process `index` (no cleanup at all: connections drop, handlers die mid-flight) and starts a new one. */
  killAndRestart(index: number): Promise<void>;
  /** Processes killed so far. */
  readonly kills: number;
  /** SIGTERMs every process and waits for them to exit. */
  stop(): Promise<void>;
}

const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

function startWorker(config: WorkerProcessConfig, role: WorkerRole): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@checkout/source', WORKER, JSON.stringify(config), role],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`worker process exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) {
        child.off('exit', onExit);
        resolve(child);
      }
    });
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/**
 * Starts worker processes joined to the environment described by `config`: `processes` of role
 * `both`, or one per entry of a role list (relays and consumers killed separately).
 */
export async function startProcessFleet(
  config: WorkerProcessConfig,
  processes: number | readonly WorkerRole[],
): Promise<ProcessFleet> {
  const roles: readonly WorkerRole[] =
    typeof processes === 'number' ? Array.from({ length: processes }, () => 'both' as const) : [...processes];
  const children = await Promise.all(roles.map((role) => startWorker(config, role)));
  let kills = 0;
  const killsByRole: Record<WorkerRole, number> = { both: 0, relay: 0, consumer: 0 };
  return {
    roles,
    killsByRole,
    get kills() {
      return kills;
    },
    async killAndRestart(index) {
      const child = children[index];
      if (child === undefined) throw new RangeError(`no worker process ${index}`);
      child.kill('SIGKILL');
      await exited(child);
      kills += 1;
      const role = roles[index] ?? 'both';
      killsByRole[role] += 1;
      children[index] = await startWorker(config, role);
    },
    async stop() {
      await Promise.all(
        children.map((child) => {
          child.kill('SIGTERM');
          return exited(child);
        }),
      );
    },
  };
}
