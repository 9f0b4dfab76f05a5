import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isQueueName, type QueueName } from '../topology.js';
import type { WorkerProcessConfig } from './checkout-environment.js';

/** What a worker process runs: relays and consumer (`both`), relays only, or the consumer only. */
export type WorkerRole = 'both' | 'relay' | 'consumer';

/** Worker processes that can be SIGKILLed and restarted, or frozen and resumed (chaos). */
export interface ProcessFleet {
  /** The role of each process, by index. */
  readonly roles: readonly WorkerRole[];
  /** Processes killed so far, by role. */
  readonly killsByRole: Readonly<Record<WorkerRole, number>>;
  /** SIGKILLs process `index` (no cleanup at all: connections drop, handlers die mid-flight) and starts a new one. */
  killAndRestart(index: number): Promise<void>;
  /** Processes killed so far. */
  readonly kills: number;
  /**
   * Freezes process `index` with SIGSTOP for `ms` (a hung worker: a frozen Lambda container, a
   * stalled host): its timers, heartbeats and sockets stop, its messages' visibility runs out and
   * they are redelivered elsewhere; then SIGCONT, and it finishes what it was doing, late. Resolves
   * once it was resumed. A process killed (or the fleet stopped) meanwhile is not resumed: the new
   * one never was stopped. Throws `RangeError` for an unknown index or an `ms` that is not a
   * finite number from 0 to 600000.
   */
  pause(index: number, ms: number): Promise<void>;
  /** Processes paused so far (counted when frozen). */
  readonly pauses: number;
  /** SIGTERMs every process and waits for them to exit. */
  stop(): Promise<void>;
}

const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** Options of {@link startProcessFleet}. */
export interface ProcessFleetOptions {
  /** Called with each age a worker process reports (`age <queue> <ms>` lines). */
  readonly onAge?: (queue: QueueName, ageMs: number) => void;
}

function startWorker(
  config: WorkerProcessConfig,
  role: WorkerRole,
  share: number,
  options: ProcessFleetOptions,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@checkout/source', WORKER, JSON.stringify(config), role, String(share)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let pending = '';
    let ready = false;
    const onExit = (code: number | null) => reject(new Error(`worker process exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [word, queue, ms] = line.split(' ');
        if (word === 'age' && queue !== undefined && isQueueName(queue)) options.onAge?.(queue, Number(ms));
        if (line === 'ready' && !ready) {
          ready = true;
          child.off('exit', onExit);
          resolve(child);
        }
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
 * `both`, or one per entry of a role list (relays and consumers killed separately). Each consuming
 * process runs every stage's worker with its share of the stage's limits.
 */
export async function startProcessFleet(
  config: WorkerProcessConfig,
  processes: number | readonly WorkerRole[],
  options: ProcessFleetOptions = {},
): Promise<ProcessFleet> {
  const roles: readonly WorkerRole[] =
    typeof processes === 'number' ? Array.from({ length: processes }, () => 'both' as const) : [...processes];
  // The stages' limits hold for the whole fleet: each consuming process takes its share.
  const share = 1 / Math.max(1, roles.filter((role) => role !== 'relay').length);
  const start = (role: WorkerRole) => startWorker(config, role, share, options);
  const children = await Promise.all(roles.map(start));
  let kills = 0;
  let pauses = 0;
  const paused = new Set<ChildProcess>();
  const killsByRole: Record<WorkerRole, number> = { both: 0, relay: 0, consumer: 0 };
  return {
    roles,
    killsByRole,
    get kills() {
      return kills;
    },
    get pauses() {
      return pauses;
    },
    async pause(index, ms) {
      const child = children[index];
      if (child === undefined) throw new RangeError(`no worker process ${index}`);
      if (!(Number.isFinite(ms) && ms >= 0 && ms <= 600_000)) {
        throw new RangeError(`pause ms must be from 0 to 600000, got ${ms}`);
      }
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGSTOP');
      paused.add(child);
      pauses += 1;
      await new Promise((resolve) => setTimeout(resolve, ms));
      // Only the same process, still alive: a killed and restarted index has a new child.
      if (paused.delete(child) && child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
    },
    async killAndRestart(index) {
      const child = children[index];
      if (child === undefined) throw new RangeError(`no worker process ${index}`);
      child.kill('SIGKILL');
      paused.delete(child);
      await exited(child);
      kills += 1;
      const role = roles[index] ?? 'both';
      killsByRole[role] += 1;
      children[index] = await start(role);
    },
    async stop() {
      await Promise.all(
        children.map((child) => {
          // A frozen process would not handle SIGTERM until resumed: resume it first.
          if (paused.delete(child)) child.kill('SIGCONT');
          child.kill('SIGTERM');
          return exited(child);
        }),
      );
    },
  };
}
