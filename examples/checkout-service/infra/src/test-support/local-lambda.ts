import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const HOST = fileURLToPath(new URL('./lambda-host.mjs', import.meta.url));

/** A function's error, as Lambda reports it (`errorType`, `errorMessage`). */
export interface LambdaInvokeError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** One function running in its own process, invoked one event at a time like a Lambda container. */
export interface LocalLambda {
  readonly name: string;
  /** Everything the function printed (stdout and stderr), for EMF lines and failure messages. */
  readonly output: string[];
  invoke(event: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: LambdaInvokeError }>;
  stop(): Promise<void>;
}

/**
 * Starts a container for `file` (the bundle's `index.mjs`) with exactly `environment` (plus PATH),
 * and waits for its cold start. Rejects with the init error (a missing variable names itself there).
 */
export async function startLocalLambda(options: {
  readonly name: string;
  readonly file: string;
  readonly exportName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}): Promise<LocalLambda> {
  const output: string[] = [];
  const child: ChildProcess = fork(HOST, [options.file, options.exportName, options.name], {
    env: { PATH: process.env.PATH ?? '', ...options.environment },
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const pending = new Map<string, (value: never) => void>();
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name}: cold start took over 30 s`)), 30_000);
    child.on('message', (message: { type: string; id?: string; error?: LambdaInvokeError }) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (message.type === 'init-error') {
        clearTimeout(timer);
        reject(new Error(`${options.name}: init failed: ${message.error?.name}: ${message.error?.message}`));
      } else if (message.type === 'result' && message.id !== undefined) {
        pending.get(message.id)?.(message as never);
        pending.delete(message.id);
      }
    });
    child.on('exit', (code) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`${options.name}: exited during init (code ${code}): ${output.join('').slice(-2000)}`));
      for (const resolvePending of pending.values()) {
        resolvePending({ ok: false, error: { name: 'Runtime.ExitError', message: `exited with ${code}` } } as never);
      }
      pending.clear();
    });
  });
  await ready;
  return {
    name: options.name,
    output,
    invoke(event) {
      if (exited) return Promise.resolve({ ok: false, error: { name: 'Runtime.ExitError', message: 'not running' } });
      const id = randomUUID();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({
            ok: false,
            error: { name: 'Sandbox.Timedout', message: `timed out after ${options.timeoutMs} ms` },
          });
        }, options.timeoutMs + 1_000);
        pending.set(id, ((value: { ok: true; result: unknown } | { ok: false; error: LambdaInvokeError }) => {
          clearTimeout(timer);
          resolve(value);
        }) as (value: never) => void);
        child.send({ id, event, timeoutMs: options.timeoutMs });
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
