import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { RequestTimeoutError } from '../errors.js';
import { startSilentEndpoint } from '../test-support/silent-endpoint.js';
import { listDeadLetters } from './list-dead-letters.js';
import { redriveDeadLetters } from './redrive-dead-letters.js';

// Every call of the DLQ tooling against an endpoint that accepts TCP and never answers: each
// function rejects with the typed error naming the SQS operation, instead of hanging for ever.
describe.concurrent('DLQ tooling on a half-open connection', () => {
  const rejects = async (
    run: (url: string, client: SQSClient) => Promise<unknown>,
    operation: string,
    timeoutMs: number,
  ) => {
    const endpoint = await startSilentEndpoint();
    try {
      const began = Date.now();
      const error = await run(endpoint.url, endpoint.client()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({ code: 'WORKERS_REQUEST_TIMEOUT', operation, timeoutMs });
      expect(Date.now() - began).toBeLessThan(20_000);
    } finally {
      await endpoint.close();
    }
  };

  it('listDeadLetters rejects on its receive', async () => {
    await rejects(
      (url, client) => listDeadLetters({ client, queueUrl: `${url}/000000000000/dlq`, requestTimeoutMs: 1000 }),
      'ReceiveMessage',
      2_000, // requestTimeoutMs + waitTimeSeconds (default 1)
    );
  });

  it('redriveDeadLetters (filtered) rejects on its receive', async () => {
    await rejects(
      (url, client) =>
        redriveDeadLetters({
          client,
          deadLetterQueueUrl: `${url}/000000000000/dlq`,
          targetQueueUrl: `${url}/000000000000/q`,
          filter: { reasons: ['permanent'] },
          requestTimeoutMs: 1000,
        }),
      'ReceiveMessage',
      2_000, // requestTimeoutMs + waitTimeSeconds (default 1)
    );
  });

  it('redriveDeadLetters (move task) rejects on its first lookup', async () => {
    await rejects(
      (url, client) =>
        redriveDeadLetters({
          client,
          deadLetterQueueUrl: `${url}/000000000000/dlq`,
          targetQueueUrl: `${url}/000000000000/q`,
          requestTimeoutMs: 1000,
        }),
      'GetQueueAttributes',
      1_000,
    );
  });
});
