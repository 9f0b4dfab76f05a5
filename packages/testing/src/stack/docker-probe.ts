import { existsSync } from 'node:fs';
import { request } from 'node:http';

/** Where to reach the Docker API, from `DOCKER_HOST` or the default socket. */
function dockerTarget(
  env: Readonly<Record<string, string | undefined>>,
): { socketPath: string } | { host: string; port: number } | undefined {
  const host = env.DOCKER_HOST;
  if (host === undefined || host === '') {
    return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock' } : undefined;
  }
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://') || host.startsWith('http://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}

/**
 * Asks the Docker daemon `GET /_ping` with a short timeout (`timeoutMs`, default 1 s). testcontainers'
 * own check can hang for over a minute when DOCKER_HOST points at something that accepts and never
 * answers; this cannot. Never rejects.
 *
 * @example
 * ```ts
 * import { probeDocker } from '@checkout/testing';
 *
 * const { available, detail } = await probeDocker();
 * if (!available) console.log(`no Docker: ${detail}`);
 * ```
 */
export function probeDocker(
  env: Readonly<Record<string, string | undefined>> = process.env,
  timeoutMs = 1_000,
): Promise<{ available: boolean; detail: string }> {
  const target = dockerTarget(env);
  if (target === undefined) {
    return Promise.resolve({ available: false, detail: 'no DOCKER_HOST and no /var/run/docker.sock' });
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve({
        available: res.statusCode === 200,
        detail: `GET /_ping answered ${res.statusCode ?? 'no status'}`,
      });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ available: false, detail: `GET /_ping gave no answer within ${timeoutMs} ms` });
    });
    req.on('error', (error) => resolve({ available: false, detail: `GET /_ping failed: ${error.message}` }));
    req.end();
  });
}
