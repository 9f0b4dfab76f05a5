import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createTestQueue, type TestQueue } from '@checkout/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxFixture, eventually, type OutboxFixture, receiveAll } from '../test-support/outbox-fixture.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

type Line = { publishing?: string[]; published?: string[]; error?: string; started?: boolean };

/** A relay in a real child process (`test-support/relay-process.ts`), with its stdout lines and exit. */
function startRelayProcess(
  queue: TestQueue,
  destination: string,
  options: { claimTimeoutMs: number; maxAttempts: number; publishDelayMs: number; killOnId?: string },
) {
  const script = fileURLToPath(new URL('../test-support/relay-process.ts', import.meta.url));
  const config = {
    postgresUrl: f.stack.postgres.url,
    schema: f.schema,
    sqs: f.stack.sqs.clientConfig,
    queueUrl: queue.queueUrl,
    destination,
    ...options,
  };
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@checkout/source', script, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Line[] = [];
  const listeners: Array<(line: Line) => void> = [];
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    for (const part of parts) {
      const line = JSON.parse(part) as Line;
      lines.push(line);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.on('exit', (code, signal) => {
    exit = { code, signal };
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exit: () => exit,
    /** Resolves with the first line (from now on) that matches. */
    next(match: (line: Line) => boolean, timeoutMs = 20_000): Promise<Line> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        );
        listeners.push((line) => {
          if (!match(line)) return;
          clearTimeout(timer);
          resolve(line);
        });
      });
    },
    async kill() {
      if (exit !== undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function rowsOf(ids: readonly string[]) {
  const { rows } = await sql<{ id: string; status: string; attempts: number; last_error: string | null }>`
    SELECT o.id::text, status, attempts, last_error FROM ${f.outbox.table.ref} o
    WHERE o.id = ANY(${ids}::bigint[]) ORDER BY o.id`.execute(f.db);
  return rows;
}

describe.skipIf(process.platform === 'win32')('a relay process that is paused or killed', () => {
  it('paused past claimTimeoutMs while publishing (its session ended), then resumed: stays alive and keeps publishing', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `pause-${queue.name}`;
    const claimTimeoutMs = 1_000;
    const relay = startRelayProcess(queue, destination, { claimTimeoutMs, maxAttempts: 10, publishDelayMs: 200 });
    try {
      await relay.next((line) => line.started === true);
      const first = await f.db
        .transaction()
        .execute((trx) => f.outbox.enqueue(trx, [{ destination, groupKey: 'pause-g', body: { n: 1 } }]));
      await relay.next((line) => line.publishing?.includes(first[0] as string) === true);
      relay.child.kill('SIGSTOP');
      // Postgres ends the stopped relay's session (idle in transaction past claimTimeoutMs); make sure.
      await new Promise((resolve) => setTimeout(resolve, claimTimeoutMs + 500));
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE state = 'idle in transaction' AND query LIKE ${`%${f.schema}%`}`.execute(f.db);
      relay.child.kill('SIGCONT');
      // It goes on: later rows are published by the same process.
      const later = await f.db
        .transaction()
        .execute((trx) => f.outbox.enqueue(trx, [{ destination, groupKey: 'pause-h', body: { n: 2 } }]));
      await relay.next((line) => line.published?.includes(later[0] as string) === true);
      await eventually(async () => (await rowsOf([...first, ...later])).every((row) => row.status === 'sent'), 20_000);
      expect(relay.exit()).toBeUndefined();
      expect(relay.stderr()).not.toMatch(/Unhandled|terminated unexpectedly/);
      const received = await receiveAll(f.sqs, queue.queueUrl, 2, 10_000);
      expect(
        received
          .map((m) => JSON.parse(m.body) as { n: number })
          .map((b) => b.n)
          .sort(),
      ).toEqual(expect.arrayContaining([1, 2]));
    } finally {
      await relay.kill();
    }
  });

  it('a row whose publish kills the relay process every time goes dead after maxAttempts; other rows go out', async () => {
    const queue = await createTestQueue(f.stack.sqs, { fifo: true });
    const destination = `poison-${queue.name}`;
    const maxAttempts = 3;
    // 4 groups x 3 rows; the poison is the second row of group p1.
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(
        trx,
        Array.from({ length: 12 }, (_, i) => ({
          destination,
          groupKey: `p${i % 4}`,
          body: { g: `p${i % 4}`, seq: Math.floor(i / 4) },
        })),
      ),
    );
    const poison = ids[5] as string;
    let kills = 0;
    for (let run = 0; run < maxAttempts + 3; run += 1) {
      const [row] = await rowsOf([poison]);
      if (row?.status === 'dead') break;
      // The process kills itself (SIGKILL) when a publish call holds the poison row, as a crash would.
      const relay = startRelayProcess(queue, destination, {
        claimTimeoutMs: 5_000,
        maxAttempts,
        publishDelayMs: 0,
        killOnId: poison,
      });
      try {
        await eventually(
          async () => relay.exit() !== undefined || (await rowsOf([poison]))[0]?.status === 'dead',
          20_000,
        );
        if (relay.exit() !== undefined) {
          expect(relay.exit()?.signal).toBe('SIGKILL');
          kills += 1;
        }
      } finally {
        await relay.kill();
      }
    }
    expect(kills).toBe(maxAttempts);
    const [dead] = await rowsOf([poison]);
    expect(dead).toMatchObject({ status: 'dead', attempts: maxAttempts });
    expect(dead?.last_error).toMatch(/no outcome/);
    // Every row of the other groups, and the row before the poison, went out; the rows after it wait.
    const relay = startRelayProcess(queue, destination, { claimTimeoutMs: 5_000, maxAttempts, publishDelayMs: 0 });
    try {
      const others = ids.filter((_, i) => i % 4 !== 1);
      await eventually(async () => (await rowsOf(others)).every((row) => row.status === 'sent'), 20_000);
      expect((await rowsOf([ids[1] as string]))[0]?.status).toBe('sent');
      expect((await rowsOf([ids[9] as string]))[0]?.status).toBe('pending');
      expect(await f.outbox.stats(f.db)).toMatchObject({ dead: 1, blockedByDead: 1 });
    } finally {
      await relay.kill();
    }
  });
});
