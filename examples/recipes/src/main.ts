// Runs one recipe against the local stack (embedded Postgres, DynamoDB Local, the SQS emulator):
//   pnpm --filter @checkout/example-recipes start <express|fastify|hono|nest> [port]
// Ctrl-C stops the app gracefully (server, consumer, relay, pool), then the stack.
import { createTestQueue, createTestSchema, startCheckoutStack } from '@checkout/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startExpressApp } from './express/express-app.js';
import { startFastifyApp } from './fastify/fastify-app.js';
import { startHonoApp } from './hono/hono-app.js';
import { startNestApp } from './nest/nest-app.js';
import type { CheckoutConfig } from './shared/checkout.js';
import { migrateToLatest } from './shared/database.js';
import type { ListenOptions, RunningApp } from './shared/running-app.js';

const recipes: Record<string, (config: CheckoutConfig, listen?: ListenOptions) => Promise<RunningApp>> = {
  express: startExpressApp,
  fastify: startFastifyApp,
  hono: startHonoApp,
  nest: startNestApp,
};
const name = process.argv[2] ?? 'express';
const start = recipes[name];
if (start === undefined) {
  console.error(`usage: start <${Object.keys(recipes).join('|')}> [port]`);
  process.exit(2);
}

const stack = await startCheckoutStack();
const schema = await createTestSchema(stack.postgres, 'recipes');
const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
const migrationDb = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: stack.postgres.url, max: 1 }) }),
});
await migrateToLatest(migrationDb, schema.name);
await migrationDb.destroy();

const app = await start(
  { postgresUrl: stack.postgres.url, schema: schema.name, sqs: stack.sqs.clientConfig, queueUrl: queue.queueUrl },
  { port: Number(process.argv[3] ?? 3000) },
);
console.log(`${name} recipe on ${app.url}. Try:
  curl -si -X POST ${app.url}/checkout -H 'x-principal: alice' -H 'idempotency-key: k1' \\
    -H 'content-type: application/json' -d '{"cartId":"c1","amountMinor":4200,"currency":"EUR"}'
  curl -si ${app.url}/orders/<orderId> -H 'x-principal: alice'`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await app.close();
    await schema.drop();
    await stack.stop();
    console.log('stopped');
  });
}
