// A real Middy chain around the SQS batch handler, with real Powertools middlewares (injectLambdaContext,
// logMetrics), a real Logger and Metrics through our adapters, and records received from the SQS emulator
// and shaped like Lambda's.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createTestQueue } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { SqsBatchResponse } from '../lambda/sqs-event.js';
import { createPowertoolsMetrics } from '../powertools/powertools-metrics.js';
import { createPowertoolsObserver } from '../powertools/powertools-observer.js';
import { handleCommand } from '../processing/command-route.js';
import { captureOutput } from '../test-support/capture-output.js';
import { chargeCard } from '../test-support/commands.js';
import { encodeNow } from '../test-support/envelopes.js';
import { lambdaContext } from '../test-support/lambda-context.js';
import { invokeFromQueue, recordingClients, sendAll } from '../test-support/sqs-helpers.js';
import { createMiddySqsBatchHandler } from './middy-sqs-batch-handler.js';

const stack = useCheckoutStack();
const client = recordingClients(stack.sqs.clientConfig);

const charge = (seq: number) =>
  JSON.stringify(
    encodeNow(
      chargeCard,
      { amountMinor: 100 + seq, currency: 'EUR', seq },
      { orderId: `order-${seq}`, idempotencyKey: `order-${seq}:charge` },
    ),
  );

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

describe('createMiddySqsBatchHandler in a Middy chain (SQS emulator, Powertools Logger and Metrics)', () => {
  it('returns the partial batch response through the chain; one logger and one EMF document carry our ids and metrics', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(
      sqs,
      queue.queueUrl,
      Array.from({ length: 5 }, (_, seq) => ({ MessageBody: charge(seq) })),
    );

    const logger = new Logger({ serviceName: 'payments' });
    const metrics = new Metrics({ namespace: 'Shop', serviceName: 'payments' });
    const seen: string[] = [];
    const handler = createMiddySqsBatchHandler({
      client: sqs,
      backoff: { baseMs: 1000 },
      observer: createPowertoolsObserver(logger),
      metrics: createPowertoolsMetrics(metrics, { publish: false }),
      commands: [
        handleCommand(chargeCard, (envelope) => {
          if (envelope.payload.seq === 3) throw new Error('provider timeout');
        }),
      ],
    })
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics))
      .use({
        before: (request) => {
          seen.push(`before:${request.event.Records.length}`);
          metrics.addMetric('BatchesReceived', 'Count', 1);
        },
        after: (request) => {
          seen.push(`after:${request.response?.batchItemFailures.length}`);
        },
      });

    output = captureOutput();
    const context = lambdaContext();
    const result = await invokeFromQueue(sqs, queue, (event) => handler(event, context), { batchSize: 5 });
    output.restore();

    expect(result.records).toHaveLength(5);
    const failedSeq = result.records
      .filter((record) => result.failed.includes(record.messageId))
      .map((record) => (JSON.parse(record.body) as { payload: { seq: number } }).payload.seq);
    expect(failedSeq).toEqual([3]);
    expect(seen).toEqual(['before:5', 'after:1']);

    const lines = output.json();
    const settled = lines.filter((line) => typeof line.outcome === 'string');
    expect(settled).toHaveLength(5);
    for (const line of settled) {
      expect(line).toMatchObject({
        service: 'payments',
        function_request_id: context.awsRequestId,
        commandType: 'ChargeCard',
        queue: queue.queueArn.split(':').at(-1),
      });
      expect(line.orderId).toMatch(/^order-\d$/);
      expect(line.messageId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i);
      expect(typeof line.sqsMessageId).toBe('string');
    }
    expect(settled.filter((line) => line.outcome === 'retried')).toEqual([
      expect.objectContaining({ level: 'WARN', orderId: 'order-3' }),
    ]);
    const errors = lines.filter((line) => line.message === 'checkout-workers handler error');
    expect(errors).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        orderId: 'order-3',
        error: expect.objectContaining({ message: 'provider timeout' }),
      }),
    ]);

    const emf = lines.filter((line) => '_aws' in line);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ service: 'payments', BatchesReceived: 1, Processed: 4, Retried: 1, Failed: 1 });
  });

  it('returns before the Lambda deadline (Middy timeout off) with only the hung record reported failed', async () => {
    const { client: sqs } = client();
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 5 });
    await sendAll(
      sqs,
      queue.queueUrl,
      Array.from({ length: 3 }, (_, seq) => ({ MessageBody: charge(seq) })),
    );
    const handler = createMiddySqsBatchHandler({
      client: sqs,
      metrics: false,
      observer: { error: () => {} },
      timeoutMarginMs: 1_000,
      commands: [
        handleCommand(chargeCard, (envelope, context) =>
          envelope.payload.seq === 1
            ? new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()))
            : undefined,
        ),
      ],
    });
    const began = Date.now();
    const result = await invokeFromQueue(sqs, queue, (event) => handler(event, lambdaContext(1_800)), { batchSize: 3 });
    expect(Date.now() - began).toBeLessThan(5_000);
    const failedSeq = result.records
      .filter((record) => result.failed.includes(record.messageId))
      .map((record) => (JSON.parse(record.body) as { payload: { seq: number } }).payload.seq);
    expect(failedSeq).toEqual([1]);
  });

  it('is typed as a Middy handler of the @types/aws-lambda SQS event', () => {
    const handler = createMiddySqsBatchHandler({
      metrics: false,
      commands: [handleCommand(chargeCard, () => {})],
    });
    expectTypeOf(handler).toBeCallableWith({ Records: [] } as SQSEvent, lambdaContext());
    expectTypeOf<SqsBatchResponse>().toExtend<SQSBatchResponse>();
  });
});
