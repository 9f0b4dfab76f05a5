// pnpm bench workers: drain 5,000 messages with a 10 ms simulated I/O handler on the same fauxqs
// emulator: ONE @checkout/workers consumer vs ONE sqs-consumer (its best settings:
// handleMessageBatch, batch 10) vs a raw loop of 8 pollers; then a FIFO queue of 50 groups (ours,
// order checked); then the Lambda handler's overhead per record vs a bare loop over the same records.
// The emulator runs in a child process (as SQS is remote), so it does not share the event loop
// with the consumer under test; Postgres and DynamoDB are not started.
import { spawn } from 'node:child_process';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsConsumer, decode, defineCommand, encode, handleCommand } from '@checkout/workers';
import { createSqsBatchHandler, type SqsEventRecord } from '@checkout/workers/lambda';
import { Consumer } from 'sqs-consumer';
import { z } from 'zod';
import { type BenchResult, summarize, writeReport } from './lib/report.ts';

const total = Number(process.argv[2] ?? 5_000);
const handlerMs = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const work = defineCommand({ type: 'Work', version: 1, payload: z.object({ seq: z.int(), group: z.string() }) });
const bodyOf = async (seq: number, group: string) =>
  JSON.stringify(await encode(work, { seq, group }, { orderId: group, idempotencyKey: `${group}:${seq}` }));

const emulator = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "import { buildApp } from 'fauxqs'; const app = buildApp({ logger: false, defaultRegion: 'us-east-1' });" +
      " await app.listen({ host: '127.0.0.1', port: 0 }); console.log(app.server.address().port);",
  ],
  { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve, reject) => {
  emulator.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  emulator.once('exit', (code) => reject(new Error(`fauxqs exited with ${code}`)));
});
const client = new SQSClient({
  endpoint: `http://127.0.0.1:${port}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  maxAttempts: 3,
});
let queueNumber = 0;

async function freshQueue(fifo = false): Promise<string> {
  queueNumber += 1;
  const name = `bench_workers_${process.pid}_${queueNumber}${fifo ? '.fifo' : ''}`;
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: '30', ...(fifo ? { FifoQueue: 'true' } : {}) },
    }),
  );
  if (QueueUrl === undefined) throw new Error('no queue url');
  return QueueUrl;
}

async function fill(queueUrl: string, groups: number | undefined): Promise<void> {
  const batches: Array<Array<{ seq: number; group: string }>> = [];
  for (let seq = 0; seq < total; seq += 10) {
    batches.push(
      Array.from({ length: Math.min(10, total - seq) }, (_, i) => ({
        seq: groups === undefined ? seq + i : Math.floor((seq + i) / groups),
        group: groups === undefined ? 'g' : `g${(seq + i) % groups}`,
      })),
    );
  }
  // FIFO: batches go one after another so each group's sends stay in order.
  const parallel = groups === undefined ? 8 : 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < batches.length) {
        const batch = batches[next] ?? [];
        const batchIndex = next;
        next += 1;
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: await Promise.all(
              batch.map(async (m, i) => ({
                Id: String(i),
                MessageBody: await bodyOf(m.seq, m.group),
                ...(groups === undefined
                  ? {}
                  : { MessageGroupId: m.group, MessageDeduplicationId: `${batchIndex}-${i}` }),
              })),
            ),
          }),
        );
      }
    }),
  );
}

async function waitFor(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('bench timed out');
    await sleep(5);
  }
}

const results: BenchResult[] = [];

// 1. Ours: one consumer instance.
async function ours(label: string, fifoGroups: number | undefined, concurrency: number): Promise<BenchResult> {
  const queueUrl = await freshQueue(fifoGroups !== undefined);
  await fill(queueUrl, fifoGroups);
  const latencies: number[] = [];
  const lastSeq = new Map<string, number>();
  let orderHeld = true;
  const consumer = createSqsConsumer({
    client,
    queueUrl,
    concurrency,
    waitTimeSeconds: 1,
    metrics: false,
    snapshotIntervalMs: 0,
    commands: [
      handleCommand(work, async (envelope) => {
        const t0 = performance.now();
        const { group, seq } = envelope.payload;
        if (fifoGroups !== undefined) {
          if ((lastSeq.get(group) ?? -1) !== seq - 1) orderHeld = false;
          lastSeq.set(group, seq);
        }
        await sleep(handlerMs);
        latencies.push(performance.now() - t0);
      }),
    ],
  });
  const began = performance.now();
  consumer.start();
  await waitFor(() => consumer.stats().acknowledged >= total);
  const wall = performance.now() - began;
  await consumer.stop();
  return summarize(label, latencies, wall, {
    messages: consumer.stats().acknowledged,
    ...(fifoGroups === undefined ? {} : { groups: fifoGroups, orderHeld }),
  });
}

// 2. sqs-consumer, one instance, best settings.
async function sqsConsumer(): Promise<BenchResult> {
  const queueUrl = await freshQueue();
  await fill(queueUrl, undefined);
  const latencies: number[] = [];
  let processed = 0;
  const consumer = Consumer.create({
    queueUrl,
    sqs: client,
    batchSize: 10,
    waitTimeSeconds: 1,
    handleMessageBatch: async (messages: Message[]) => {
      const t0 = performance.now();
      await Promise.all(messages.map(() => sleep(handlerMs)));
      for (const _ of messages) latencies.push(performance.now() - t0);
      return messages;
    },
  });
  consumer.on('message_processed', () => {
    processed += 1;
  });
  consumer.on('error', () => {});
  const began = performance.now();
  consumer.start();
  await waitFor(() => processed >= total, 300_000);
  const wall = performance.now() - began;
  consumer.stop();
  return summarize('sqs-consumer 15 x1 (handleMessageBatch, batch 10)', latencies, wall, { messages: processed });
}

// 3. Raw loop: 8 pollers, receive 10, handle in parallel, DeleteMessageBatch.
async function rawLoop(): Promise<BenchResult> {
  const queueUrl = await freshQueue();
  await fill(queueUrl, undefined);
  const latencies: number[] = [];
  let deleted = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (deleted < total) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages.length === 0) continue;
        await Promise.all(
          Messages.map(async (message) => {
            const t0 = performance.now();
            await decode(message.Body ?? '', [work]);
            await sleep(handlerMs);
            latencies.push(performance.now() - t0);
          }),
        );
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
        deleted += Messages.length;
      }
    }),
  );
  return summarize('raw loop, 8 pollers (receive 10, DeleteMessageBatch)', latencies, performance.now() - began, {
    messages: deleted,
  });
}

// 4. Lambda handler overhead per record vs a bare loop (in memory, every record succeeds: no SQS call).
async function lambdaOverhead(): Promise<BenchResult[]> {
  const events = 2_000;
  const records: SqsEventRecord[] = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: await bodyOf(i, 'g'),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
    })),
  );
  let sink = 0;
  const handle = async (seq: number) => {
    sink += seq;
  };
  const handler = createSqsBatchHandler({
    client,
    metrics: false,
    queueUrl: 'http://unused',
    commands: [handleCommand(work, (envelope) => handle(envelope.payload.seq))],
  });
  const rows: BenchResult[] = [];
  for (const [label, run] of [
    [
      'bare loop: JSON.parse + handler per record',
      async () => {
        const failures: string[] = [];
        for (const record of records) {
          try {
            await handle((JSON.parse(record.body) as { payload: { seq: number } }).payload.seq);
          } catch {
            failures.push(record.messageId);
          }
        }
        return failures;
      },
    ],
    [
      'createSqsBatchHandler (decode + zod + routing)',
      async () => (await handler({ Records: records })).batchItemFailures,
    ],
  ] as const) {
    for (let i = 0; i < 200; i += 1) await run(); // warm-up
    const perRecordUs: number[] = [];
    const began = performance.now();
    for (let i = 0; i < events; i += 1) {
      const t0 = performance.now();
      await run();
      perRecordUs.push(((performance.now() - t0) / records.length) * 1000);
    }
    const wall = performance.now() - began;
    const row = summarize(label, perRecordUs, wall, { records: events * records.length });
    rows.push({ ...row, opsPerSec: Math.round(((events * records.length) / wall) * 1000) });
  }
  if (sink < 0) console.log(sink);
  return rows;
}

try {
  const oursRow = await ours('@checkout/workers consumer x1 (concurrency 100)', undefined, 100);
  results.push(oursRow);
  const baseline = await sqsConsumer();
  results.push(baseline);
  const raw = await rawLoop();
  results.push(raw);
  const fifo = await ours('@checkout/workers consumer x1, FIFO 50 groups', 50, 100);
  results.push(fifo);
  const [bare, lambda] = await lambdaOverhead();
  if (bare !== undefined && lambda !== undefined) results.push(bare, lambda);
  writeReport(
    'workers',
    results,
    {
      'ours/sqs-consumer': oursRow.opsPerSec / baseline.opsPerSec,
      'ours/raw-8-pollers': oursRow.opsPerSec / raw.opsPerSec,
      'fifo50/ours-standard': fifo.opsPerSec / oursRow.opsPerSec,
      'lambda/bare (per-record time, p50)': (lambda?.p50Ms ?? 0) / (bare?.p50Ms || 1),
    },
    ['fauxqs', 'sqs-consumer', '@aws-sdk/client-sqs', 'zod'],
  );
  console.log('note: the Lambda rows report p50/p99 in MICROseconds per record (column names say ms).');
} finally {
  client.destroy();
  emulator.kill();
}
