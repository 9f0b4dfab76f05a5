import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JavaNotFoundError, ServiceStartError } from '../errors.js';
import { Reaper } from '../stack/reaper.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { startFauxqs } from './fauxqs.js';

let reaper: Reaper;
let dir: string;

/** A fake `java` that passes the version check, then runs `body` for the real start. */
function fakeJava(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\nif [ "$1" = "-version" ]; then echo 'openjdk version "17.0.9" 2023-10-17' >&2; exit 0; fi\n${body}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  reaper = new Reaper();
  dir = mkdtempSync(join(tmpdir(), 'ck-fake-java-'));
});
afterAll(() => {
  reaper.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe('every DynamoDB Local start failure is typed, with a fix', () => {
  it('no java at all: JavaNotFoundError', async () => {
    const error = await failure(() => startDynamoDbLocal(reaper, { java: join(dir, 'no-such-java') }));
    expect(error).toBeInstanceOf(JavaNotFoundError);
  });

  it('a java that cannot be spawned after the version check (EACCES) is not an unhandled error event', async () => {
    // Passes `-version`, then takes its own execute bit away: the real spawn fails with EACCES.
    const path = join(dir, 'vanishing-java');
    writeFileSync(path, `#!/bin/sh\necho 'openjdk version "17.0.9"' >&2\nchmod -x "$0"\n`);
    chmodSync(path, 0o755);
    const error = await failure(() => startDynamoDbLocal(reaper, { java: path }));
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).message).toMatch(/could not be run \(EACCES\).*Fix: /);
  });

  it('a java that exits during start-up', async () => {
    const java = fakeJava('crashing-java', 'echo "Error: Unable to access jarfile" >&2; exit 1');
    const error = await failure(() => startDynamoDbLocal(reaper, { java }));
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).message).toContain(
      'java exited during start-up: Error: Unable to access jarfile',
    );
  });

  it('a java that never answers (timeout)', async () => {
    const java = fakeJava('silent-java', 'exec sleep 60');
    const error = await failure(() => startDynamoDbLocal(reaper, { java, readyTimeoutMs: 300 }));
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).message).toContain('no answer within');
    expect((error as ServiceStartError).fix).toContain('CHECKOUT_DYNAMODB_ENDPOINT');
  });
});

describe('fauxqs start failures are typed, with a fix', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.close();
  });

  it('a port another process holds', async () => {
    const error = await failure(() => startFauxqs('us-east-1', { port }));
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).service).toBe('sqs');
    expect((error as ServiceStartError).fix).toContain(`port ${port} is taken`);
  });
});
