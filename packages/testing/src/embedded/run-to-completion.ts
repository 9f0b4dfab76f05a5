import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { ServiceStartError } from '../errors.js';

/** How {@link runToCompletion} runs its command. */
export interface RunToCompletionOptions {
  /** Run as this user and group (root dropping to an unprivileged user). */
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  /** Working directory; must be reachable by `uid`. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) and reported after this long. */
  readonly timeoutMs: number;
  /** The fix named in the error when the command fails. */
  readonly fix: string;
}

/** The last `max` characters of `text`, trimmed, for error messages. */
export function tail(text: string, max = 1_500): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `...${trimmed.slice(-max)}` : trimmed;
}

/**
 * Runs `command` to its end. A spawn error (EACCES, ENOENT, ...), a non-zero exit and the time
 * limit all reject with {@link ServiceStartError} carrying the output's tail: a child process
 * never reaches an unhandled `'error'` event.
 */
export function runToCompletion(
  service: string,
  command: string,
  args: readonly string[],
  options: RunToCompletionOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const name = basename(command);
    const settle = (error?: ServiceStartError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(
        new ServiceStartError(service, `${name} did not finish within ${Math.round(options.timeoutMs / 1000)} s`, {
          fix: `the machine may be overloaded: retry; ${options.fix}`,
        }),
      );
    }, options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      settle(
        new ServiceStartError(service, `${command} could not be run (${error.code ?? error.message})`, {
          fix: options.fix,
          cause: error,
        }),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) settle();
      else
        settle(
          new ServiceStartError(service, `${name} failed (exit ${code ?? signal}): ${tail(output) || 'no output'}`, {
            fix: options.fix,
          }),
        );
    });
  });
}
