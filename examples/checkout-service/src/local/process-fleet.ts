import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerProcessConfig } from './checkout-environment.js';

/** Worker processes that can be SIGKILLed and restarted (chaos). */
export interface ProcessFleet {
  /** SIGKILLs process `index` (no cleanup at all: connections drop, handlers die mid-flight) and starts a new one. */
  killAndRestart(index: number): Promise<void>;
  /** Processes killed so far. */
  readonly kills: number;
  /** SIGTERMs every process and waits for them to exit. */
  stop(): Promise<void>;
}

const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

function startWorker(config: WorkerProcessConfig): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@checkout/source', WORKER, JSON.stringify(config)],
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

/** Starts `processes` worker processes joined to the environment described by `config`. */
export async function startProcessFleet(config: WorkerProcessConfig, processes: number): Promise<ProcessFleet> {
  const children = await Promise.all(Array.from({ length: processes }, () => startWorker(config)));
  let kills = 0;
  return {
    get kills() {
      return kills;
    },
    async killAndRestart(index) {
      const child = children[index];
      if (child === undefined) throw new RangeError(`no worker process ${index}`);
      child.kill('SIGKILL');
      await exited(child);
      kills += 1;
      children[index] = await startWorker(config);
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
