// Test-only: an "SQS endpoint" that accepts TCP connections and never answers a byte (a half-open
// connection, a stalled load balancer), and a way to send chosen commands of a real client there.
import { createServer, type Socket } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';

/** A listening TCP server that never answers; `close()` destroys every socket it accepted. */
export interface SilentEndpoint {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  /** An SQS client whose endpoint is this server (every call hangs until aborted). */
  client(): SQSClient;
  close(): Promise<void>;
}

/** Starts a {@link SilentEndpoint} on 127.0.0.1 (random port). */
export async function startSilentEndpoint(): Promise<SilentEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const clients: SQSClient[] = [];
  return {
    port,
    url,
    connections: () => connections,
    client() {
      const sqs = new SQSClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      clients.push(sqs);
      return sqs;
    },
    async close() {
      for (const sqs of clients) sqs.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Sends the named commands (e.g. `SendMessage`, `DeleteMessageBatch`) of `client` to `endpoint`
 * instead of the real SQS endpoint, after signing: those calls hang, every other call works.
 */
export function hangCommands(client: SQSClient, endpoint: SilentEndpoint, commands: readonly string[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
      const request = args.request as { hostname?: string; port?: number; protocol?: string };
      if (commands.includes(command)) {
        request.hostname = '127.0.0.1';
        request.port = endpoint.port;
        request.protocol = 'http:';
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'hangChosenCommands' },
  );
}
