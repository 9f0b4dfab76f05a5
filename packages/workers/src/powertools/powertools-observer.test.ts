import { Logger } from '@aws-lambda-powertools/logger';
import { OutboxPublishTimeoutError } from '@checkout/outbox';
import { afterEach, describe, expect, it } from 'vitest';
import { captureOutput } from '../test-support/capture-output.js';
import { createPowertoolsObserver } from './powertools-observer.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

const logger = () => new Logger({ serviceName: 'payments', logLevel: 'DEBUG' });

describe('createPowertoolsObserver (a real Powertools Logger)', () => {
  it('logs a worker error as one structured line with orderId, messageId, sqsMessageId, commandType and the error', () => {
    output = captureOutput();
    const observer = createPowertoolsObserver(logger());
    observer.error({
      stage: 'handler',
      error: new Error('provider timeout'),
      sqsMessageId: 'sqs-1',
      messageId: '01J00000000000000000000000',
      orderId: 'order-7',
      type: 'ChargeCard',
    });
    output.restore();
    const [line] = output.json();
    expect(line).toMatchObject({
      level: 'ERROR',
      service: 'payments',
      message: 'checkout-workers handler error',
      stage: 'handler',
      sqsMessageId: 'sqs-1',
      messageId: '01J00000000000000000000000',
      orderId: 'order-7',
      commandType: 'ChargeCard',
      error: { name: 'Error', message: 'provider timeout' },
    });
  });

  it('logs settled deliveries at the level of their outcome, without undefined keys', () => {
    output = captureOutput();
    const observer = createPowertoolsObserver(logger(), { settledLevels: { processed: 'debug', skipped: 'off' } });
    const base = { queue: 'orders', sqsMessageId: 'sqs-2', latencyMs: 12.6, receiveCount: 2 } as const;
    observer.settled({ ...base, outcome: 'processed', messageId: 'm-1', orderId: 'order-8', type: 'ChargeCard' });
    observer.settled({ ...base, outcome: 'retried', orderId: 'order-8' });
    observer.settled({ ...base, outcome: 'dead-lettered', poison: 'unparseable' });
    observer.settled({ ...base, outcome: 'skipped' });
    output.restore();
    const lines = output.json();
    expect(lines.map((line) => [line.level, line.outcome])).toEqual([
      ['DEBUG', 'processed'],
      ['WARN', 'retried'],
      ['ERROR', 'dead-lettered'],
    ]);
    expect(lines[0]).toMatchObject({ orderId: 'order-8', messageId: 'm-1', commandType: 'ChargeCard', latencyMs: 13 });
    expect(lines[2]).toMatchObject({ poison: 'unparseable' });
    expect(Object.keys(lines[2] ?? {})).not.toContain('orderId');
  });

  it("serves the outbox relay's observer: errors with their code, rounds and stats", () => {
    output = captureOutput();
    const observer = createPowertoolsObserver(logger());
    observer.error(new OutboxPublishTimeoutError(['101', '102'], 5_000));
    observer.roundCompleted({ claimed: 3, published: 3, failed: 0 });
    observer.stats({ pending: 4, dead: 0 });
    output.restore();
    const lines = output.json();
    expect(lines[0]).toMatchObject({
      level: 'ERROR',
      message: 'checkout-outbox relay error',
      errorCode: 'OUTBOX_PUBLISH_TIMEOUT',
      outboxRowIds: ['101', '102'],
    });
    expect(lines[1]).toMatchObject({ level: 'DEBUG', message: 'checkout-outbox relay round', claimed: 3 });
    expect(lines[2]).toMatchObject({ level: 'INFO', message: 'checkout-outbox stats', pending: 4 });
  });

  it('never throws into the worker when the logger does, and refuses bad options naming them', () => {
    const throwing = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {
        throw new Error('sink down');
      },
    };
    expect(() => createPowertoolsObserver(throwing).error(new Error('x'))).not.toThrow();
    const cases: ReadonlyArray<readonly [() => unknown, string]> = [
      [() => createPowertoolsObserver({} as Logger), 'logger'],
      [
        () => createPowertoolsObserver(logger(), { settledLevels: { processed: 'loud' as 'info' } }),
        'settledLevels.processed',
      ],
      [() => createPowertoolsObserver(logger(), { settledLevels: { done: 'info' } as never }), 'settledLevels.done'],
    ];
    for (const [make, field] of cases) {
      expect(make).toThrow(expect.objectContaining({ code: 'WORKERS_INVALID_CONFIG', field }));
    }
  });
});
