import { buildApp } from 'fauxqs';
import { ServiceStartError } from '../errors.js';

/**
 * Starts the fauxqs SQS emulator in this process, on 127.0.0.1 only (`startFauxqs()` would bind
 * 0.0.0.0 whatever its host option says). Queue URLs it returns name an unresolvable host: SDK
 * clients must be configured with this endpoint and never fetch a queue URL directly.
 */
export async function startFauxqs(region: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const app = buildApp({ logger: false, defaultRegion: region });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    throw new ServiceStartError('sqs', error instanceof Error ? error.message : String(error), error);
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new ServiceStartError('sqs', 'no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      await app.close();
    },
  };
}
