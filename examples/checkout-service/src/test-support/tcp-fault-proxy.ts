import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * What the proxy does: forward (`pass`); refuse new connections and drop the open ones, as a
 * database that is down (`refuse`, the client sees ECONNREFUSED or a reset); accept and forward
 * nothing in either direction, as a partition (`blackhole`: bytes wait, like TCP retransmissions,
 * and flow again on `pass`).
 */
export type FaultMode = 'pass' | 'refuse' | 'blackhole';

/** A TCP proxy in front of one endpoint, with faults switchable at run time (tests only). */
export interface TcpFaultProxy {
  readonly port: number;
  readonly mode: FaultMode;
  setMode(mode: FaultMode): Promise<void>;
  /**
   * The next client chunk containing `pattern` (case-insensitive) is forwarded; the server's next
   * answer is then dropped and the client's connection cut: the statement ran (a COMMIT landed),
   * the client never heard. Resolves when that happened.
   */
  cutAfter(pattern: string): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | undefined;
  readonly held: { toServer: Buffer[]; toClient: Buffer[] };
  cutting: boolean;
}

/** Starts a proxy on 127.0.0.1 (a free port) to `target`. */
export async function startTcpFaultProxy(target: { host: string; port: number }): Promise<TcpFaultProxy> {
  let mode: FaultMode = 'pass';
  const pairs = new Set<Pair>();
  let cut: { pattern: string; done: () => void } | undefined;

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  const flush = (pair: Pair) => {
    if (pair.upstream === undefined) openUpstream(pair);
    for (const chunk of pair.held.toServer.splice(0)) pair.upstream?.write(chunk);
    for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
  };
  const openUpstream = (pair: Pair) => {
    const upstream = tcpConnect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    upstream.on('data', (chunk: Buffer) => {
      if (pair.cutting) {
        drop(pair); // the answer (COMMIT's CommandComplete) never reaches the client
        cut?.done();
        cut = undefined;
        return;
      }
      if (mode === 'blackhole') pair.held.toClient.push(chunk);
      else pair.client.write(chunk);
    });
  };
  const onConnection = (client: Socket) => {
    const pair: Pair = { client, upstream: undefined, held: { toServer: [], toClient: [] }, cutting: false };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    client.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole' || pair.upstream === undefined) {
        pair.held.toServer.push(chunk);
        return;
      }
      if (cut !== undefined && chunk.toString('latin1').toLowerCase().includes(cut.pattern)) pair.cutting = true;
      pair.upstream.write(chunk);
    });
    if (mode === 'pass') openUpstream(pair);
  };

  let server: Server = createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const port = await listen(0);

  return {
    port,
    get mode() {
      return mode;
    },
    async setMode(next) {
      if (next === mode) return;
      const previous = mode;
      mode = next;
      if (next === 'refuse') {
        for (const pair of [...pairs]) drop(pair);
        await stopListening();
        return;
      }
      if (previous === 'refuse') {
        server = createServer(onConnection);
        await listen(port);
      }
      if (next === 'pass') for (const pair of [...pairs]) flush(pair);
    },
    cutAfter(pattern) {
      return new Promise<void>((resolve) => {
        cut = { pattern: pattern.toLowerCase(), done: resolve };
      });
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      if (mode !== 'refuse') await stopListening();
    },
  };
}
