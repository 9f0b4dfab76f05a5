import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { TransientError, WorkersConfigError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import { chargeCard } from '../test-support/commands.js';
import { encodeNow } from '../test-support/envelopes.js';
import { createSqsBatchHandler } from './sqs-batch-handler.js';
import type { SqsEventRecord } from './sqs-event.js';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:commands';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/commands';
const HOUR = 3_600_000;

/** An SQS client that records what it is asked and answers `{}`: these tests are about the handler. */
function fakeClient() {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ command: command.constructor.name.replace(/Command$/, ''), input: command.input });
      return {};
    },
  } as unknown as SQSClient;
  return { client, calls };
}

function record(seq: number, attributes: Partial<SqsEventRecord['attributes']> = {}): SqsEventRecord {
  return {
    messageId: `m-${seq}`,
    receiptHandle: `rh-${seq}`,
    body: JSON.stringify(
      encodeNow(
        chargeCard,
        { amountMinor: 100, currency: 'EUR', seq },
        { orderId: `o-${seq}`, idempotencyKey: `k-${seq}` },
      ),
    ),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), ...attributes },
    messageAttributes: {},
    eventSourceARN: QUEUE_ARN,
  };
}

const never = new Promise<void>(() => {});

describe('createSqsBatchHandler: the Lambda deadline', () => {
  it('returns before the deadline when handlers never settle: finished records succeed, unfinished and unstarted ones fail', async () => {
    const { client } = fakeClient();
    const signals = new Map<number, AbortSignal>();
    const handler = createSqsBatchHandler({
      client,
      queueUrl: QUEUE_URL,
      metrics: false,
      observer: { error: () => {} },
      concurrency: 2,
      timeoutMarginMs: 2_000,
      commands: [
        handleCommand(chargeCard, async (envelope, context) => {
          const seq = envelope.payload.seq ?? -1;
          signals.set(seq, context.signal);
          // 2 and 4 hang and ignore their abort signal; with both workers stuck, 5 never starts.
          if (seq === 2 || seq === 4) await never;
        }),
      ],
    });
    const remainingMs = 4_000;
    const started = Date.now();
    const context = { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) };
    const result = await handler({ Records: [1, 2, 3, 4, 5].map((seq) => record(seq)) }, context);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(remainingMs);
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['m-2', 'm-4', 'm-5']);
    expect(signals.get(2)?.aborted).toBe(true);
    expect(signals.get(4)?.aborted).toBe(true);
    expect(signals.has(5)).toBe(false);
  });

  it('FIFO: a group whose record hangs reports it and the rest of its group; other groups succeed', async () => {
    const { client } = fakeClient();
    const handler = createSqsBatchHandler({
      client,
      queueUrl: `${QUEUE_URL}.fifo`,
      metrics: false,
      observer: { error: () => {} },
      timeoutMarginMs: 1_000,
      commands: [
        handleCommand(chargeCard, async (envelope) => {
          if (envelope.payload.seq === 1) await never;
        }),
      ],
    });
    const fifo = (seq: number, group: string) => ({
      ...record(seq, { MessageGroupId: group }),
      eventSourceARN: `${QUEUE_ARN}.fifo`,
    });
    const started = Date.now();
    const result = await handler(
      { Records: [fifo(0, 'a'), fifo(1, 'a'), fifo(2, 'a'), fifo(3, 'b'), fifo(4, 'b')] },
      { getRemainingTimeInMillis: () => 2_000 - (Date.now() - started) },
    );
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['m-1', 'm-2']);
  });
});

describe('createSqsBatchHandler: the 12-hour visibility limit counts from the receive', () => {
  const firstReceive = Date.UTC(2026, 0, 1, 0, 0, 0);

  const run = async (receiveCount: number, error: () => Error) => {
    const { client, calls } = fakeClient();
    const now = firstReceive + 11 * HOUR;
    const handler = createSqsBatchHandler({
      client,
      queueUrl: QUEUE_URL,
      metrics: false,
      observer: { error: () => {} },
      now: () => now,
      random: () => 1,
      commands: [
        handleCommand(chargeCard, () => {
          throw error();
        }),
      ],
    });
    const result = await handler({
      Records: [
        record(1, {
          ApproximateReceiveCount: String(receiveCount),
          ApproximateFirstReceiveTimestamp: String(firstReceive),
          SentTimestamp: String(firstReceive - 1_000),
        }),
      ],
    });
    expect(result.batchItemFailures).toHaveLength(1);
    return calls
      .filter((call) => call.command === 'ChangeMessageVisibility')
      .map((call) => call.input.VisibilityTimeout);
  };

  it('first receive 11 h ago: asks for at most the hour left (minus clock-skew allowance), never 12 h', async () => {
    const [visibility] = await run(1, () => new TransientError('later', { retryAfterSeconds: 43_200 }));
    expect(visibility).toBeLessThanOrEqual(3_600);
    expect(visibility).toBeGreaterThanOrEqual(3_000);
    const [backoff] = await run(1, () => new Error('provider down'));
    expect(backoff).toBeLessThanOrEqual(3_600);
  });

  it('a later receive (count 3): the first receive is not this receive; the cap is close to 12 h but below it', async () => {
    const [visibility] = await run(3, () => new TransientError('later', { retryAfterSeconds: 43_200 }));
    expect(visibility).toBeLessThan(43_200);
    expect(visibility).toBeGreaterThanOrEqual(43_200 - 600);
  });
});

describe('createSqsBatchHandler: observer', () => {
  it('gives every survived error to observer.error; a hook that throws is ignored', async () => {
    const { client } = fakeClient();
    const seen: string[] = [];
    const handler = createSqsBatchHandler({
      client,
      queueUrl: QUEUE_URL,
      metrics: false,
      observer: {
        error: (event) => {
          seen.push(`${event.stage}:${event.sqsMessageId}`);
          throw new Error('observer bug');
        },
      },
      commands: [
        handleCommand(chargeCard, (envelope) => {
          if (envelope.payload.seq === 2) throw new Error('flaky');
        }),
      ],
    });
    const result = await handler({ Records: [1, 2, 3].map((seq) => record(seq)) });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-2' }]);
    expect(seen).toEqual(['handler:m-2']);
  });

  it('refuses an observer that is not an object of functions, naming the field', () => {
    const base = { commands: [handleCommand(chargeCard, () => {})], metrics: false as const };
    expect(() => createSqsBatchHandler({ ...base, observer: { error: 'log' as unknown as () => void } })).toThrow(
      expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field: 'observer.error' }),
    );
    expect(() => createSqsBatchHandler({ ...base, observer: 1 as never })).toThrow(WorkersConfigError);
    expect(() => createSqsBatchHandler({ ...base, backoff: { baseMs: 10_000, maxMs: 1_000 } })).toThrow(
      expect.objectContaining({ field: 'backoff.baseMs' }),
    );
    expect(() => createSqsBatchHandler({ ...base, requestTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ field: 'requestTimeoutMs' }),
    );
    expect(() => createSqsBatchHandler({ ...base, now: 5 as unknown as () => number })).toThrow(
      expect.objectContaining({ field: 'now' }),
    );
  });
});
