import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsPublisher } from './sqs-publisher.js';

describe('SqsPublisher attributes', () => {
  it('sends an attribute named __proto__ (not turned into a prototype)', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        sent.push(command.input);
        return { Successful: [{ Id: '1' }] };
      },
    } as unknown as SQSClient;
    const p = new SqsPublisher({ client, queues: { d: 'http://q' } });
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
