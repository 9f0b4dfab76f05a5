import { buildApp } from 'fauxqs';
import { ServiceStartError } from '../errors.js';

/**
 * Starts the fauxqs SQS emulator in this process, on 127.0.0.1 only (`startFauxqs()` would bind
 * 0.0.0.0 whatever its host option says). Queue URLs it returns name an unresolvable host: SDK
 * clients must be configured with this endpoint and never fetch a queue URL directly.
 */
export async function startFauxqs(
  region: string,
  internals: { readonly port?: number } = {},
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const fix = 'set CHECKOUT_SQS_ENDPOINT to an SQS endpoint you run';
  let app: ReturnType<typeof buildApp>;
  try {
    app = buildApp({ logger: false, defaultRegion: region });
    await app.listen({ host: '127.0.0.1', port: internals.port ?? 0 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ServiceStartError('sqs', error instanceof Error ? error.message : String(error), {
      fix:
        code === 'EADDRINUSE'
          ? `port ${internals.port} is taken by another process: free it, or ${fix}`
          : `check that fauxqs is installed (it is a dependency of @checkout/testing); or ${fix}`,
      cause: error,
    });
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close().catch(() => {});
    throw new ServiceStartError('sqs', 'no TCP address', { fix });
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      await app.close();
    },
  };
}
