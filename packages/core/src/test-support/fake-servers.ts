import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/** A listening server on 127.0.0.1 and how to stop it (destroys every open socket). */
export interface FakeServer {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Socket>): Promise<FakeServer> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What the fake Postgres does with a connection. */
export type FakePostgresMode =
  /** Accept and never answer (a blackhole). */
  | { readonly kind: 'silent' }
  /** Accept and close at once. */
  | { readonly kind: 'close' }
  /** Refuse the startup with this SQLSTATE. */
  | { readonly kind: 'refuse-startup'; readonly sqlstate: string }
  /** Accept the startup; answer every query with this SQLSTATE (and close after it when `close`). */
  | { readonly kind: 'query-error'; readonly sqlstate: string; readonly close?: boolean }
  /** Accept the startup; never answer a query. */
  | { readonly kind: 'query-silent' };

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function errorResponse(sqlstate: string): Buffer {
  const fields = [`SFATAL`, `VFATAL`, `C${sqlstate}`, `Mfake error ${sqlstate}`];
  return message('E', Buffer.concat([...fields.map((f) => Buffer.from(`${f}\0`, 'utf8')), Buffer.from([0])]));
}

const AUTH_OK = message('R', Buffer.from([0, 0, 0, 0]));
const READY = message('Z', Buffer.from('I'));

/**
 * A minimal server speaking the Postgres wire protocol, so `pg` produces its real errors
 * (`DatabaseError` with a SQLSTATE, `Connection terminated unexpectedly`, timeouts).
 */
export async function startFakePostgres(mode: FakePostgresMode): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => {});
    if (mode.kind === 'silent') return;
    if (mode.kind === 'close') {
      socket.destroy();
      return;
    }
    let buffered = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 4) return;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) return;
          buffered = buffered.subarray(length);
          started = true;
          if (mode.kind === 'refuse-startup') {
            socket.end(errorResponse(mode.sqlstate));
            return;
          }
          socket.write(Buffer.concat([AUTH_OK, READY]));
          continue;
        }
        if (buffered.length < 5) return;
        const type = String.fromCharCode(buffered[0] ?? 0);
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) return;
        buffered = buffered.subarray(length + 1);
        if (type === 'X') {
          socket.end();
          return;
        }
        if (type !== 'Q' || mode.kind !== 'query-error') continue;
        if (mode.close === true) socket.end(errorResponse(mode.sqlstate));
        else socket.write(Buffer.concat([errorResponse(mode.sqlstate), READY]));
      }
    });
  });
  return listen(server, sockets);
}

/** An HTTP server answering every request with `respond`, or never when it returns `undefined`. */
export async function startFakeHttp(
  respond: (request: IncomingMessage) => { status: number; headers?: Record<string, string>; body: string } | undefined,
): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const answer = respond(request);
      if (answer === undefined) return;
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body);
    });
  });
  return listen(server, sockets);
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = await listen(createServer(), new Set());
  await server.close();
  return server.port;
}
