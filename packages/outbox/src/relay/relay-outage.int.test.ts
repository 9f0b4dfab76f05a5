import { SQSClient } from '@aws-sdk/client-sqs';
import { createFaultProxy, createTestQueue, type FaultProxy } from '@checkout/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxFixture, eventually, type OutboxFixture, receiveAll } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

// Outages through a fault proxy in front of the run's shared Postgres and SQS emulator: only the
// relay's connections go through it, so other test files (and this file's own checks) are untouched.
let f: OutboxFixture;
let pgProxy: FaultProxy;
let sqsProxy: FaultProxy;
beforeAll(async () => {
  f = await createOutboxFixture();
  pgProxy = await createFaultProxy({ target: f.stack.postgres.url });
  sqsProxy = await createFaultProxy({ target: f.stack.sqs.endpoint });
});
afterAll(async () => {
  await pgProxy?.close();
  await sqsProxy?.close();
  await f?.close();
});

/** The relay's own pool, through the proxy, with the bounds the README asks for. */
function relayDatabase() {
  const pool = new pg.Pool({
    connectionString: pgProxy.url(f.stack.postgres.url),
    max: 4,
    connectionTimeoutMillis: 1_000,
  });
  pool.on('error', () => {});
  return { pool, db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }) };
}

async function enqueue(destination: string, from: number, count: number): Promise<void> {
  await f.db.transaction().execute((trx) =>
    f.outbox.enqueue(
      trx,
      Array.from({ length: count }, (_, i) => ({ destination, body: { n: from + i } })),
    ),
  );
}

async function rowsOf(destination: string) {
  const { rows } = await sql<{ status: string; sent: boolean }>`
    SELECT status, sent_at IS NOT NULL AS sent FROM ${f.outbox.table.ref} WHERE destination = ${destination}`.execute(
    f.db,
  );
  return rows;
}

/** Receives until every `n` in [0, count) arrived (duplicates allowed: at-least-once), or the timeout. */
async function receiveNumbers(queueUrl: string, count: number, seen: Set<number>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (seen.size < count && Date.now() < deadline) {
    for (const message of await receiveAll(f.sqs, queueUrl, count - seen.size, 2_000)) {
      seen.add((JSON.parse(message.body) as { n: number }).n);
    }
  }
  return seen;
}

const everyNumber = (count: number) => new Set(Array.from({ length: count }, (_, i) => i));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('relay under a Postgres outage (refuse, then blackhole)', () => {
  it('backs off with every wait bounded, then resumes on its own: every row published, marked sent', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `pg-outage-${queue.name}`;
    const { pool, db } = relayDatabase();
    const errors: unknown[] = [];
    const relay = createOutboxRelay({
      db,
      pool,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
      listen: { connectionString: pgProxy.url(f.stack.postgres.url), connectionTimeoutMillis: 1_000 },
      pollIntervalMs: 100,
      claimTimeoutMs: 2_000,
      observer: { error: (error) => errors.push(error) },
    });
    await relay.start();
    const received = new Set<number>();
    try {
      await enqueue(destination, 0, 20);
      expect(await receiveNumbers(queue.queueUrl, 20, received, 15_000)).toEqual(everyNumber(20));

      pgProxy.setMode('refuse');
      await enqueue(destination, 20, 20); // the application still writes (its own connections)
      await sleep(2_000);
      const refusedErrors = errors.length;
      expect(refusedErrors).toBeGreaterThan(0);

      pgProxy.setMode('blackhole');
      await enqueue(destination, 40, 20);
      // Longer than the claim timeout: a relay stuck on a dead socket would report nothing more.
      await sleep(5_000);
      expect(errors.length).toBeGreaterThan(refusedErrors);
      // Nothing enqueued during the outage went out (the first 20 may still be unmarked: their
      // round's COMMIT may have been cut, and at-least-once publishes them again).
      expect((await rowsOf(destination)).filter((row) => row.sent).length).toBeLessThanOrEqual(20);

      pgProxy.setMode('pass');
      expect(await receiveNumbers(queue.queueUrl, 60, received)).toEqual(everyNumber(60));
      await eventually(async () => (await rowsOf(destination)).every((row) => row.status === 'sent' && row.sent));
    } finally {
      pgProxy.setMode('pass');
      const began = Date.now();
      await relay.stop();
      expect(Date.now() - began).toBeLessThan(10_000);
      await db.destroy();
    }
  }, 90_000);
});

describe('relay under a Postgres blackhole that starts while its connections are open', () => {
  it('gives up on the dead connections within its claim timeout, reports it, and stops promptly', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `pg-hang-${queue.name}`;
    const { pool, db } = relayDatabase();
    const errors: unknown[] = [];
    const relay = createOutboxRelay({
      db,
      pool,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
      pollIntervalMs: 50,
      claimTimeoutMs: 1_000,
      observer: { error: (error) => errors.push(error) },
    });
    await relay.start();
    const received = new Set<number>();
    try {
      await enqueue(destination, 0, 5);
      expect(await receiveNumbers(queue.queueUrl, 5, received, 15_000)).toEqual(everyNumber(5));
      // Idle pooled connections (and a round in flight) now hang: no RST, no answer.
      pgProxy.setMode('blackhole');
      await enqueue(destination, 5, 5);
      await eventually(() => errors.length >= 2, 15_000);
      pgProxy.setMode('pass');
      expect(await receiveNumbers(queue.queueUrl, 10, received)).toEqual(everyNumber(10));
      pgProxy.setMode('blackhole');
      await sleep(300);
    } finally {
      const began = Date.now();
      await relay.stop();
      expect(Date.now() - began).toBeLessThan(5_000);
      pgProxy.setMode('pass');
      await db.destroy();
    }
  }, 90_000);
});

/**
 * A relay that LISTENs through the Postgres proxy and polls only once a minute, started and proven to
 * wake on NOTIFY (rows 0-2 published); `outage` then breaks the LISTEN connection its own way, and
 * rows 3-5 must be published within 20 s: woken by NOTIFY on a new connection, not by the poll.
 */
async function listenAcrossOutage(name: string, outage: (errors: readonly unknown[]) => Promise<void>) {
  const queue = await createTestQueue(f.stack.sqs);
  const destination = `${name}-${queue.name}`;
  const errors: unknown[] = [];
  const relay = createOutboxRelay({
    db: f.db,
    outbox: f.outbox,
    publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
    listen: { connectionString: pgProxy.url(f.stack.postgres.url), connectionTimeoutMillis: 1_000 },
    pollIntervalMs: 60_000,
    observer: { error: (error) => errors.push(error) },
  });
  await relay.start();
  const received = new Set<number>();
  try {
    await eventually(() => pgProxy.stats.open > 0, 15_000); // listening through the proxy
    await enqueue(destination, 0, 3);
    expect(await receiveNumbers(queue.queueUrl, 3, received, 15_000)).toEqual(everyNumber(3));
    await outage(errors);
    await enqueue(destination, 3, 3);
    expect(await receiveNumbers(queue.queueUrl, 6, received, 20_000)).toEqual(everyNumber(6));
  } finally {
    pgProxy.setMode('pass');
    await relay.stop();
  }
}

describe('the LISTEN connection across a Postgres outage', () => {
  it('reconnects after the outage on its own: a relay that polls once a minute publishes within seconds', async () => {
    const acceptedBefore = pgProxy.stats.accepted;
    await listenAcrossOutage('pg-listen', async () => {
      pgProxy.setMode('refuse'); // the LISTEN connection is reset; reconnects are refused
      await sleep(2_500);
      pgProxy.setMode('pass');
      await eventually(() => pgProxy.stats.open > 0, 40_000);
      expect(pgProxy.stats.accepted).toBeGreaterThan(acceptedBefore + 1);
    });
  }, 90_000);
});

describe('a LISTEN connection gone silent', () => {
  it('is noticed by its heartbeat, reported and replaced: NOTIFY wakes the relay again', async () => {
    await listenAcrossOutage('pg-listen-silent', async (errors) => {
      const acceptedBefore = pgProxy.stats.accepted;
      // The connection stays open and nothing comes back: no error, no 'end', only silence.
      pgProxy.setMode('blackhole');
      await eventually(() => errors.some((error) => /heartbeat/.test(String(error))), 10_000);
      await eventually(() => pgProxy.stats.accepted > acceptedBefore, 10_000); // a replacement is tried
      pgProxy.setMode('pass');
      // The replacement (or the next one) completes its handshake and LISTENs again.
      await sleep(3_000);
    });
  }, 90_000);
});

describe('relay under an SQS outage (refuse, then blackhole)', () => {
  it('fails publishes with rows left pending, then resumes: every row published, marked sent', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `sqs-outage-${queue.name}`;
    const client = new SQSClient({
      ...f.stack.sqs.clientConfig,
      endpoint: sqsProxy.endpoint,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
    });
    const errors: unknown[] = [];
    let failed = 0;
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client, queues: { [destination]: queue.queueUrl } }),
      pollIntervalMs: 100,
      claimTimeoutMs: 4_000,
      backoff: { baseMs: 200, maxMs: 1_000 },
      observer: {
        error: (error) => errors.push(error),
        roundCompleted: (round) => {
          failed += round.failed;
        },
      },
    });
    await relay.start();
    const received = new Set<number>();
    try {
      await enqueue(destination, 0, 10);
      expect(await receiveNumbers(queue.queueUrl, 10, received, 15_000)).toEqual(everyNumber(10));

      sqsProxy.setMode('refuse');
      await enqueue(destination, 10, 10);
      await eventually(() => failed > 0, 15_000);
      sqsProxy.setMode('blackhole');
      const refusedFailures = failed;
      await enqueue(destination, 20, 10);
      await sleep(5_000);
      expect(failed).toBeGreaterThan(refusedFailures); // each publish bounded, not hung
      const pending = (await rowsOf(destination)).filter((row) => row.status === 'pending');
      expect(pending).toHaveLength(20);
      expect((await rowsOf(destination)).some((row) => row.status === 'dead')).toBe(false);

      sqsProxy.setMode('pass');
      expect(await receiveNumbers(queue.queueUrl, 30, received)).toEqual(everyNumber(30));
      await eventually(async () => (await rowsOf(destination)).every((row) => row.status === 'sent' && row.sent));
    } finally {
      sqsProxy.setMode('pass');
      const began = Date.now();
      await relay.stop();
      expect(Date.now() - began).toBeLessThan(10_000);
      client.destroy();
    }
  }, 90_000);
});
