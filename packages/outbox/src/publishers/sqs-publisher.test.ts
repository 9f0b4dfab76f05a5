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
