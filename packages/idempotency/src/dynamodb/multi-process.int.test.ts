import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotencyTable } from './table-definition.js';

const stack = useCheckoutStack();

interface WorkerSummary {
  runs: number;
  fresh: number;
  replayed: number;
  inProgress: number;
  other: string[];
  orderIds: string[];
}

describe('several worker processes, one key (DynamoDB Local)', () => {
  const client = new DynamoDBClient(stack.dynamodb.clientConfig);
  const tableName = uniqueName('idem_multi');
  beforeAll(async () => {
    await createIdempotencyTable(client, tableName);
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  it('4 processes x 10 concurrent calls: fn runs exactly once across processes', async () => {
    const key = randomUUID();
    const script = fileURLToPath(new URL('../test-support/concurrent-worker.ts', import.meta.url));
    const workers = Array.from({ length: 4 }, () =>
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=@checkout/source',
          script,
          JSON.stringify(stack.dynamodb.clientConfig),
          tableName,
          key,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    const lines = workers.map((worker) => {
      const received: string[] = [];
      let buffer = '';
      const waiters: Array<() => void> = [];
      worker.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        received.push(...parts);
        for (const wake of waiters.splice(0)) wake();
      });
      const next = async (index: number): Promise<string> => {
        while (received.length <= index) {
          await new Promise<void>((resolve, reject) => {
            waiters.push(resolve);
            worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
          });
        }
        return received[index] ?? '';
      };
      return next;
    });
    expect(await Promise.all(lines.map((next) => next(0)))).toEqual(['ready', 'ready', 'ready', 'ready']);
    for (const worker of workers) worker.stdin.write('go\n');
    const summaries = (await Promise.all(lines.map((next) => next(1)))).map(
      (line) => JSON.parse(line) as WorkerSummary,
    );

    const total = summaries.reduce(
      (sum, s) => ({
        runs: sum.runs + s.runs,
        fresh: sum.fresh + s.fresh,
        replayed: sum.replayed + s.replayed,
        inProgress: sum.inProgress + s.inProgress,
      }),
      { runs: 0, fresh: 0, replayed: 0, inProgress: 0 },
    );
    expect(summaries.flatMap((s) => s.other)).toEqual([]);
    expect(total.runs).toBe(1);
    expect(total.fresh).toBe(1);
    expect(total.fresh + total.replayed + total.inProgress).toBe(40);
    expect(new Set(summaries.flatMap((s) => s.orderIds)).size).toBe(1);
  });
});
