import { describe, expect, it } from 'vitest';
import { RequestTimeoutError, WorkersConfigError } from '../errors.js';
import { startSilentEndpoint } from '../test-support/silent-endpoint.js';
import { getQueueSnapshot } from './queue-snapshot.js';

describe('getQueueSnapshot on a half-open connection', () => {
  it('rejects with a RequestTimeoutError naming GetQueueAttributes after requestTimeoutMs', async () => {
    const endpoint = await startSilentEndpoint();
    try {
      const began = Date.now();
      const error = await getQueueSnapshot(endpoint.client(), `${endpoint.url}/000000000000/stalled`, {
        requestTimeoutMs: 1000,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({
        code: 'WORKERS_REQUEST_TIMEOUT',
        operation: 'GetQueueAttributes',
        timeoutMs: 1_000,
      });
      expect(Date.now() - began).toBeLessThan(20_000);
      expect(endpoint.connections()).toBeGreaterThanOrEqual(1);
    } finally {
      await endpoint.close();
    }
  });

  it('refuses a bound that is not a positive number of milliseconds up to 300,000', async () => {
    const endpoint = await startSilentEndpoint();
    try {
      for (const requestTimeoutMs of [0, -1, Number.NaN, 300_001]) {
        await expect(
          getQueueSnapshot(endpoint.client(), `${endpoint.url}/000000000000/q`, { requestTimeoutMs }),
        ).rejects.toBeInstanceOf(WorkersConfigError);
      }
      expect(endpoint.connections()).toBe(0);
    } finally {
      await endpoint.close();
    }
  });
});
