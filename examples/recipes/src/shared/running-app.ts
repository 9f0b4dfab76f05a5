import type { AddressInfo } from 'node:net';

/** A started recipe: where it listens, and how to stop it gracefully. */
export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops taking requests, then stops the consumer and the relay, then closes the pool. */
  close(): Promise<void>;
}

/** Where to listen: `127.0.0.1` and a free port (0) by default. */
export interface ListenOptions {
  readonly host?: string;
  readonly port?: number;
}

/** `http://host:port` of a listening `node:http` server's address. */
export function urlOf(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
