import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeDocker } from './docker-probe.js';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function socketPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'probe-'));
  dirs.push(dir);
  return join(dir, 'docker.sock');
}

describe('probeDocker', () => {
  it('reports a daemon that answers /_ping', async () => {
    const path = socketPath();
    const server = createHttpServer((req, res) => res.writeHead(req.url === '/_ping' ? 200 : 404).end('OK'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    expect(await probeDocker({ DOCKER_HOST: `unix://${path}` })).toMatchObject({ available: true });
  });

  it('gives up quickly on a socket that accepts and never answers', async () => {
    const path = socketPath();
    const server = createServer(() => {});
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const began = Date.now();
    const result = await probeDocker({ DOCKER_HOST: `unix://${path}` }, 200);
    expect(result.available).toBe(false);
    expect(result.detail).toMatch(/no answer/);
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('reports a missing socket as unavailable', async () => {
    const result = await probeDocker({ DOCKER_HOST: `unix://${socketPath()}` });
    expect(result).toMatchObject({ available: false });
    expect(result.detail).toMatch(/failed/);
  });

  it('reads tcp:// hosts', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(200).end('OK'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    expect(await probeDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` })).toMatchObject({ available: true });
  });
});
