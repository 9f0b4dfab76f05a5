import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createSqsPublisher } from './sqs-publisher.js';

describe('SqsPublisher attributes', () => {
  it('sends an attribute named __proto__ (not turned into a prototype)', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        sent.push(command.input);
        return { Successful: [{ Id: '1' }] };
      },
    } as unknown as SQSClient;
    const p = createSqsPublisher({ client, queues: { d: 'http://q' } });
    const out = await p.publish(
      [
        {
          id: '1',
          destination: 'd',
          groupKey: null,
          body: '1',
          attributes: JSON.parse('{"__proto__":"x"}'),
          delaySeconds: null,
          attempt: 1,
        },
      ],
      new AbortController().signal,
    );
    expect(out).toEqual([{ ok: true }]);
    const entry = (sent[0] as { Entries: { MessageAttributes: object }[] }).Entries[0];
    expect(Object.keys(entry?.MessageAttributes ?? {})).toEqual(['__proto__']);
  });
});

describe('createSqsPublisher options are checked at creation', () => {
  const client = { send: async () => ({}) } as unknown as SQSClient;
  it('names the bad option (OutboxConfigError, OUTBOX_INVALID_CONFIG)', () => {
    const field = (options: object) => {
      try {
        createSqsPublisher({ client, queues: {}, ...options });
      } catch (error) {
        expect(error).toMatchObject({ code: 'OUTBOX_INVALID_CONFIG', httpStatus: 500 });
        return (error as { field: string }).field;
      }
      return undefined;
    };
    expect(field({ client: undefined })).toBe('client');
    expect(field({ queues: 'https://q' })).toBe('queues');
    expect(field({ maxBatchBytes: 0 })).toBe('maxBatchBytes');
    expect(field({ concurrency: 1.5 })).toBe('concurrency');
    expect(field({ deduplicationIdPrefix: 'x'.repeat(41) })).toBe('deduplicationIdPrefix');
    expect(field({ queues: (destination: string) => `https://q/${destination}` })).toBeUndefined();
  });
});

describe('SqsPublisher trace context', () => {
  const entry = {
    id: '7',
    destination: 'd',
    groupKey: null,
    body: '{}',
    attributes: { type: 'T' },
    delaySeconds: null,
    attempt: 1,
    traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
    tracestate: 'v=1',
  };
  const capture = () => {
    const sent: { Entries: Record<string, unknown>[] }[] = [];
    const client = {
      send: async (command: { input: { Entries: Record<string, unknown>[] } }) => {
        sent.push(command.input);
        return { Successful: [{ Id: '7', MessageId: 'sqs-7' }] };
      },
    } as unknown as SQSClient;
    return { sent, client };
  };

  it('sends traceparent / tracestate attributes and AWSTraceHeader (X-Ray form), and reports the message id', async () => {
    const { sent, client } = capture();
    const out = await createSqsPublisher({ client, queues: { d: 'http://q' } }).publish(
      [entry],
      new AbortController().signal,
    );
    expect(out).toEqual([{ ok: true, messageId: 'sqs-7' }]);
    expect(sent[0]?.Entries[0]).toMatchObject({
      MessageAttributes: {
        type: { DataType: 'String', StringValue: 'T' },
        traceparent: { DataType: 'String', StringValue: entry.traceparent },
        tracestate: { DataType: 'String', StringValue: 'v=1' },
      },
      MessageSystemAttributes: {
        AWSTraceHeader: {
          DataType: 'String',
          StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        },
      },
    });
  });

  it('awsTraceHeader: false sends no system attribute; an entry without context sends neither', async () => {
    const { sent, client } = capture();
    const publisher = createSqsPublisher({ client, queues: { d: 'http://q' }, awsTraceHeader: false });
    await publisher.publish([entry], new AbortController().signal);
    expect(sent[0]?.Entries[0]?.MessageSystemAttributes).toBeUndefined();
    const { traceparent: _tp, tracestate: _ts, ...bare } = entry;
    await createSqsPublisher({ client, queues: { d: 'http://q' } }).publish([bare], new AbortController().signal);
    expect(sent[1]?.Entries[0]).toMatchObject({ MessageAttributes: { type: { StringValue: 'T' } } });
    expect(sent[1]?.Entries[0]?.MessageSystemAttributes).toBeUndefined();
    expect(Object.keys((sent[1]?.Entries[0]?.MessageAttributes as object) ?? {})).toEqual(['type']);
    expect(() => createSqsPublisher({ client, queues: {}, awsTraceHeader: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ field: 'awsTraceHeader' }),
    );
  });
});

describe('SqsPublisher failures: retryable when SQS, not the entry, failed', () => {
  const entry = (id: string) => ({
    id,
    destination: 'd',
    groupKey: null,
    body: '1',
    attributes: null,
    delaySeconds: null,
    attempt: 1,
  });
  const publishWith = (send: () => Promise<unknown>) =>
    createSqsPublisher({ client: { send } as unknown as SQSClient, queues: { d: 'http://q' } }).publish(
      [entry('1'), entry('2')],
      new AbortController().signal,
    );

  it('a failed entry is retryable exactly when SQS says it was not the sender (SenderFault: false)', async () => {
    const out = await publishWith(async () => ({
      Failed: [
        { Id: '1', Code: 'InternalError', Message: 'try again', SenderFault: false },
        { Id: '2', Code: 'InvalidParameterValue', Message: 'too big', SenderFault: true },
      ],
    }));
    expect(out).toEqual([
      { ok: false, error: 'InternalError: try again', retryable: true },
      { ok: false, error: 'InvalidParameterValue: too big', retryable: false },
    ]);
  });

  it('a thrown call: throttling, 5xx and dropped connections are retryable; a refusal of the request is not', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
      $retryable: { throttling: true },
    });
    const unavailable = Object.assign(new Error('unavailable'), {
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const missing = Object.assign(new Error('The specified queue does not exist.'), {
      name: 'QueueDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
    for (const [error, retryable] of [
      [throttled, true],
      [unavailable, true],
      [reset, true],
      [missing, false],
    ] as const) {
      const out = await publishWith(() => Promise.reject(error));
      expect(out.map((o) => (o.ok ? 'ok' : o.retryable))).toEqual([retryable, retryable]);
    }
  });
});
