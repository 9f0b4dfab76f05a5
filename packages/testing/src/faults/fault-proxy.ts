import { connect, createServer, type Server, type Socket } from 'node:net';
import { FaultNotTriggeredError, ServiceStartError, TestingInputError } from '../errors.js';

/**
 * What a {@link FaultProxy} does with traffic:
 * - `pass`: forwards every byte both ways (after the configured latency);
 * - `refuse`: resets every open connection (TCP RST, both sides) and resets each new one at once;
 * - `blackhole`: accepts connections and keeps the open ones, but forwards no byte either way (it
 *   stops reading, so the peers' kernels buffer and then block, like a network partition). Back in
 *   `pass`, held bytes flow again and connections accepted meanwhile reach the target.
 */
export type FaultMode = 'pass' | 'refuse' | 'blackhole';

/** Where a {@link FaultProxy} forwards to. */
export interface FaultProxyTarget {
  readonly host: string;
  readonly port: number;
}

/** Options of {@link createFaultProxy}. */
export interface FaultProxyOptions {
  /**
   * The endpoint to put the proxy in front of: `{ host, port }`, or a URL whose host and port are
   * taken (`http://127.0.0.1:8000`, `postgres://user:pw@127.0.0.1:5432/db`; default ports 80, 443,
   * 5432).
   */
  readonly target: string | FaultProxyTarget;
  /** Port to listen on (127.0.0.1). Default 0: a free port. */
  readonly port?: number;
  /** Initial mode. Default `pass`. */
  readonly mode?: FaultMode;
  /** Initial added latency per chunk, both ways, in [0, 600000] ms. Default 0. */
  readonly latencyMs?: number;
  /** Initial jitter: each chunk waits `latencyMs + random() * jitterMs`, order kept. Default 0. */
  readonly jitterMs?: number;
  /** Randomness of the jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** Options of {@link FaultProxy.setLatency}. */
export interface FaultLatencyOptions {
  /** Up to this many more ms per chunk (uniform), in [0, 600000]. Default 0. */
  readonly jitterMs?: number;
}

/** Options of {@link FaultProxy.cutAfter}. */
export interface FaultCutOptions {
  /**
   * How long to wait for a matching chunk before rejecting with `FaultNotTriggeredError`
   * (`reason: 'timeout'`), in [1, 3600000] ms. Default 60000.
   */
  readonly timeoutMs?: number;
}

/** Counters of a {@link FaultProxy} since it started. */
export interface FaultProxyStats {
  /** Client connections accepted (not counting refused ones). */
  readonly accepted: number;
  /** Client connections reset at once because the mode was `refuse`. */
  readonly refused: number;
  /** Connections reset by `setMode('refuse')` while open. */
  readonly reset: number;
  /** Client connections open now. */
  readonly open: number;
  /** Bytes forwarded client -> target. */
  readonly bytesToTarget: number;
  /** Bytes forwarded target -> client. */
  readonly bytesToClient: number;
  /** Connections to the target that failed (target down, reset by it); their client was reset too. */
  readonly targetErrors: number;
  /** `cutAfter` faults that fired. */
  readonly cuts: number;
}

/**
 * A TCP proxy on 127.0.0.1 that injects faults between a client and a local endpoint (Postgres,
 * DynamoDB Local, the SQS emulator), switchable at run time. Every socket has an `'error'`
 * listener: no fault ever surfaces as an unhandled `'error'` event.
 */
export interface FaultProxy {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: an AWS SDK `endpoint` that goes through the proxy. */
  readonly endpoint: string;
  /** Where it forwards to. */
  readonly target: FaultProxyTarget;
  /** The current mode. */
  readonly mode: FaultMode;
  /** The current added latency and jitter, ms. */
  readonly latency: { readonly latencyMs: number; readonly jitterMs: number };
  /** A snapshot of the counters. */
  readonly stats: FaultProxyStats;
  /**
   * `original` (a `postgres://`, `http://` or any URL with a host) with its host and port replaced
   * by the proxy's: `proxy.url(stack.postgres.url)`. A bad URL is a `TestingInputError` (`url`).
   */
  url(original: string): string;
  /** Switches the mode (see {@link FaultMode}); takes effect at once on open connections too. */
  setMode(mode: FaultMode): void;
  /**
   * Delays every chunk both ways by `latencyMs` (plus up to `jitterMs`), keeping the order of each
   * direction; `0` turns it off. Applies to chunks received from now on.
   */
  setLatency(latencyMs: number, options?: FaultLatencyOptions): void;
  /**
   * Arms a one-shot ambiguous-commit fault: the next client -> target chunk containing `pattern`
   * (e.g. `'COMMIT'`) is forwarded to the target; then the target's reply is dropped (the proxy
   * waits for its first bytes, at most 5 s, so the target has done the work), the client socket is
   * reset and the target socket ended. Client bytes after the matching chunk are dropped. Resolves
   * when it fired; rejects with `FaultNotTriggeredError` after `timeoutMs` or on `close()`.
   * Several armed cuts fire on successive matches, in the order armed.
   */
  cutAfter(pattern: string | Uint8Array, options?: FaultCutOptions): Promise<void>;
  /** Stops listening and destroys every socket; pending `cutAfter` promises reject. Idempotent. */
  close(): Promise<void>;
}

const LISTEN_HOST = '127.0.0.1';
const MAX_DELAY_MS = 600_000;
/** How long a fired cut waits for the target's reply before resetting the client anyway. */
const CUT_REPLY_WAIT_MS = 5_000;
const MODES: ReadonlySet<unknown> = new Set(['pass', 'refuse', 'blackhole']);
const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
};

function shown(value: unknown): string {
  return String(typeof value === 'string' ? JSON.stringify(value) : value).slice(0, 80);
}

function checkPort(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65_535) {
    throw new TestingInputError(field, `must be an integer in [${min}, 65535], got ${shown(value)}`);
  }
  return value;
}

function checkDelay(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new TestingInputError(field, `must be a number of ms in [0, ${MAX_DELAY_MS}], got ${shown(value)}`);
  }
  return value;
}

function checkMode(field: string, value: unknown): FaultMode {
  if (!MODES.has(value)) {
    throw new TestingInputError(field, `must be one of pass, refuse, blackhole; got ${shown(value)}`);
  }
  return value as FaultMode;
}

function parseTarget(target: unknown): FaultProxyTarget {
  if (typeof target === 'string') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new TestingInputError('target', `must be a URL or { host, port }, got ${shown(target)}`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (host === '') throw new TestingInputError('target', `must name a host, got ${shown(target)}`);
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
    if (port === undefined) {
      throw new TestingInputError('target', `must give a port (no default for ${url.protocol}), got ${shown(target)}`);
    }
    return { host, port };
  }
  if (typeof target !== 'object' || target === null) {
    throw new TestingInputError('target', `must be a URL or { host, port }, got ${shown(target)}`);
  }
  const { host, port } = target as { host?: unknown; port?: unknown };
  if (typeof host !== 'string' || host === '' || host.length > 255) {
    throw new TestingInputError('target.host', `must be a host name or address, got ${shown(host)}`);
  }
  return { host, port: checkPort('target.port', port, 1) };
}

interface ArmedCut {
  readonly pattern: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Queued {
  /** `null`: the source ended, end the destination. */
  readonly chunk: Buffer | null;
  readonly due: number;
  readonly onWritten?: () => void;
}

interface Link {
  readonly client: Socket;
  target: Socket | undefined;
  /** Tail of the client's last bytes, so a pattern split across chunks still matches. */
  carry: Buffer;
  /** The client's end was queued for the target. */
  clientEnded: boolean;
  /** Set once a cut's chunk reached the target: replies are dropped, then the client is reset. */
  cutting: { readonly cut: ArmedCut; timer: NodeJS.Timeout | undefined } | undefined;
  readonly toTarget: Lane;
  readonly toClient: Lane;
}

/** One direction of a connection: chunks wait for their due time, in order, and only in `pass`. */
class Lane {
  readonly #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  #blocked = false;

  constructor(
    private readonly source: () => Socket | undefined,
    private readonly dest: () => Socket | undefined,
    private readonly passing: () => boolean,
    private readonly delay: () => number,
    private readonly counted: (bytes: number) => void,
  ) {}

  get blocked(): boolean {
    return this.#blocked;
  }

  push(chunk: Buffer | null, onWritten?: () => void): void {
    const last = this.#queue.at(-1)?.due ?? 0;
    const entry: Queued = { chunk, due: Math.max(Date.now() + this.delay(), last) };
    this.#queue.push(onWritten === undefined ? entry : { ...entry, onWritten });
    this.pump();
  }

  pump(): void {
    if (this.#timer !== undefined) return;
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined || !this.passing()) return;
      const dest = this.dest();
      if (dest === undefined) return;
      const wait = head.due - Date.now();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.#queue.shift();
      if (dest.destroyed || dest.writableEnded) continue;
      if (head.chunk === null) {
        dest.end();
        continue;
      }
      this.counted(head.chunk.length);
      const flushed = dest.write(head.chunk);
      head.onWritten?.();
      if (!flushed && !this.#blocked) {
        this.#blocked = true;
        this.source()?.pause();
        dest.once('drain', () => {
          this.#blocked = false;
          if (this.passing()) this.source()?.resume();
        });
      }
    }
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
  }
}

function reset(socket: Socket | undefined): void {
  if (socket === undefined || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * Starts a fault-injecting TCP proxy on 127.0.0.1 in front of `target`. Point a client at
 * `proxy.url(...)` / `proxy.endpoint`, then switch faults at run time: `setMode('refuse' |
 * 'blackhole' | 'pass')`, `setLatency(ms)`, `cutAfter('COMMIT')`. A bad option is a
 * `TestingInputError` naming it; a port that cannot be bound is a `ServiceStartError`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createFaultProxy, startCheckoutStack } from '@checkout/testing';
 *
 * const stack = await startCheckoutStack();
 * const proxy = await createFaultProxy({ target: stack.postgres.url });
 * const pool = new pg.Pool({ connectionString: proxy.url(stack.postgres.url), connectionTimeoutMillis: 2_000 });
 * pool.on('error', () => {}); // idle clients die with the connection
 * proxy.setMode('refuse'); // the database is "down" for this pool only
 * await pool.query('select 1').catch((error: unknown) => console.log('outage', error));
 * proxy.setMode('pass');
 * await pool.query('select 1');
 * await pool.end();
 * await proxy.close();
 * await stack.stop();
 * ```
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  if (typeof options !== 'object' || options === null) throw new TestingInputError('options', 'must be an object');
  const target = parseTarget(options.target);
  const listenPort = options.port === undefined ? 0 : checkPort('port', options.port, 0);
  let mode: FaultMode = options.mode === undefined ? 'pass' : checkMode('mode', options.mode);
  let latencyMs = options.latencyMs === undefined ? 0 : checkDelay('latencyMs', options.latencyMs);
  let jitterMs = options.jitterMs === undefined ? 0 : checkDelay('jitterMs', options.jitterMs);
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw new TestingInputError('random', 'must be a function returning a number in [0, 1)');
  }
  const random = options.random ?? Math.random;

  const links = new Set<Link>();
  const armed: ArmedCut[] = [];
  const counters = { accepted: 0, refused: 0, reset: 0, bytesToTarget: 0, bytesToClient: 0, targetErrors: 0, cuts: 0 };
  let closing: Promise<void> | undefined;

  const delay = (): number => (latencyMs === 0 && jitterMs === 0 ? 0 : latencyMs + random() * jitterMs);
  const passing = (): boolean => mode === 'pass';

  /** Forgets a link once both of its sockets are gone. */
  const settle = (link: Link): void => {
    if (!link.client.destroyed || (link.target !== undefined && !link.target.destroyed)) return;
    link.toTarget.clear();
    link.toClient.clear();
    links.delete(link);
  };

  /** Resets both sockets of a link at once (refuse, close). */
  const kill = (link: Link): void => {
    link.toTarget.clear();
    link.toClient.clear();
    if (link.cutting !== undefined) fire(link);
    reset(link.client);
    reset(link.target);
    links.delete(link);
  };

  /** The cut's chunk reached the target and it answered (or the wait ran out): reset the client. */
  const fire = (link: Link): void => {
    const cutting = link.cutting;
    if (cutting === undefined || cutting.timer === undefined) return;
    clearTimeout(cutting.timer);
    cutting.timer = undefined;
    counters.cuts += 1;
    reset(link.client);
    link.toTarget.clear();
    link.toClient.clear();
    if (link.target !== undefined && !link.target.destroyed) {
      // A FIN, not a reset: the target reads everything it was sent, then sees the client go.
      link.target.end();
      const target = link.target;
      setTimeout(() => target.destroy(), CUT_REPLY_WAIT_MS).unref();
    }
    cutting.cut.resolve();
  };

  const matchCut = (link: Link, chunk: Buffer): ArmedCut | undefined => {
    if (armed.length === 0 || link.cutting !== undefined) {
      link.carry = Buffer.alloc(0);
      return undefined;
    }
    const haystack = link.carry.length === 0 ? chunk : Buffer.concat([link.carry, chunk]);
    const index = armed.findIndex((cut) => haystack.includes(cut.pattern));
    if (index >= 0) {
      const [cut] = armed.splice(index, 1);
      link.carry = Buffer.alloc(0);
      return cut;
    }
    const keep = Math.max(...armed.map((cut) => cut.pattern.length)) - 1;
    link.carry = Buffer.from(haystack.subarray(Math.max(0, haystack.length - keep)));
    return undefined;
  };

  const connectTarget = (link: Link): void => {
    const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    link.target = socket;
    socket.setNoDelay(true);
    socket.on('error', () => {
      counters.targetErrors += 1;
      if (link.cutting === undefined) reset(link.client);
    });
    socket.on('data', (chunk: Buffer) => {
      if (link.cutting !== undefined) {
        fire(link);
        return;
      }
      link.toClient.push(chunk);
    });
    socket.on('end', () => {
      if (link.cutting === undefined) link.toClient.push(null);
    });
    socket.on('close', () => settle(link));
    link.toTarget.pump();
  };

  const onConnection = (client: Socket): void => {
    client.on('error', () => {
      // ECONNRESET and friends: 'close' follows and cleans up.
    });
    if (mode === 'refuse' || closing !== undefined) {
      counters.refused += 1;
      reset(client);
      return;
    }
    counters.accepted += 1;
    client.setNoDelay(true);
    const link: Link = {
      client,
      target: undefined,
      carry: Buffer.alloc(0),
      clientEnded: false,
      cutting: undefined,
      toTarget: new Lane(
        () => client,
        () => link.target,
        passing,
        delay,
        (bytes) => {
          counters.bytesToTarget += bytes;
        },
      ),
      toClient: new Lane(
        () => link.target,
        () => client,
        passing,
        delay,
        (bytes) => {
          counters.bytesToClient += bytes;
        },
      ),
    };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.cutting !== undefined) return; // the client is about to be reset: nothing more goes through
      const cut = matchCut(link, chunk);
      link.toTarget.push(
        chunk,
        cut === undefined
          ? undefined
          : () => {
              link.cutting = { cut, timer: setTimeout(() => fire(link), CUT_REPLY_WAIT_MS) };
            },
      );
    });
    client.on('end', () => {
      link.clientEnded = true;
      link.toTarget.push(null);
    });
    client.on('close', (hadError) => {
      if (link.cutting !== undefined) {
        fire(link);
      } else if (hadError || link.target === undefined) {
        link.toTarget.clear();
        reset(link.target);
      } else if (!link.clientEnded) {
        // Destroyed without a FIN reaching us: end the target once what it was sent has gone through.
        link.clientEnded = true;
        link.toTarget.push(null);
      }
      settle(link);
    });
    if (mode === 'blackhole') {
      client.pause();
    } else {
      connectTarget(link);
    }
  };

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, onConnection);
  server.on('error', () => {
    // Listen errors are handled below; nothing else is emitted on a listening server.
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new ServiceStartError('fault-proxy', `cannot listen on ${LISTEN_HOST}:${listenPort} (${error.code})`, {
          fix: listenPort === 0 ? 'retry' : `choose another port than ${listenPort}, or omit port for a free one`,
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen({ host: LISTEN_HOST, port: listenPort }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : listenPort);
    });
  });

  const setMode = (next: FaultMode): void => {
    const checked = checkMode('mode', next);
    mode = checked;
    if (checked === 'refuse') {
      for (const link of [...links]) {
        if (!link.client.destroyed) counters.reset += 1;
        kill(link);
      }
      return;
    }
    for (const link of links) {
      if (checked === 'blackhole') {
        link.client.pause();
        link.target?.pause();
        continue;
      }
      if (link.target === undefined && !link.client.destroyed) connectTarget(link);
      if (!link.toTarget.blocked) link.client.resume();
      if (!link.toClient.blocked) link.target?.resume();
      link.toTarget.pump();
      link.toClient.pump();
    }
  };

  return {
    host: LISTEN_HOST,
    port,
    endpoint: `http://${LISTEN_HOST}:${port}`,
    target,
    get mode() {
      return mode;
    },
    get latency() {
      return { latencyMs, jitterMs };
    },
    get stats(): FaultProxyStats {
      let open = 0;
      for (const link of links) if (!link.client.destroyed) open += 1;
      return { ...counters, open };
    },
    url(original: string): string {
      let url: URL;
      try {
        url = new URL(original);
      } catch {
        throw new TestingInputError('url', `must be a URL, got ${shown(original)}`);
      }
      if (url.host === '') throw new TestingInputError('url', `must name a host, got ${shown(original)}`);
      url.hostname = LISTEN_HOST;
      url.port = String(port);
      return url.toString();
    },
    setMode,
    setLatency(nextLatencyMs: number, latencyOptions: FaultLatencyOptions = {}): void {
      const checkedLatency = checkDelay('latencyMs', nextLatencyMs);
      if (typeof latencyOptions !== 'object' || latencyOptions === null) {
        throw new TestingInputError('options', 'must be an object');
      }
      const checkedJitter = latencyOptions.jitterMs === undefined ? 0 : checkDelay('jitterMs', latencyOptions.jitterMs);
      latencyMs = checkedLatency;
      jitterMs = checkedJitter;
    },
    cutAfter(pattern: string | Uint8Array, cutOptions: FaultCutOptions = {}): Promise<void> {
      const bytes =
        typeof pattern === 'string'
          ? Buffer.from(pattern)
          : pattern instanceof Uint8Array
            ? Buffer.from(pattern)
            : null;
      if (bytes === null || bytes.length === 0 || bytes.length > 65_536) {
        return Promise.reject(
          new TestingInputError('pattern', 'must be a non-empty string or Uint8Array of at most 65536 bytes'),
        );
      }
      if (typeof cutOptions !== 'object' || cutOptions === null) {
        return Promise.reject(new TestingInputError('options', 'must be an object'));
      }
      const timeoutMs = cutOptions.timeoutMs ?? 60_000;
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) {
        return Promise.reject(
          new TestingInputError('timeoutMs', `must be an integer in [1, 3600000], got ${shown(timeoutMs)}`),
        );
      }
      if (closing !== undefined) {
        return Promise.reject(new FaultNotTriggeredError('closed', 'cutAfter: the fault proxy is closed'));
      }
      return new Promise<void>((resolve, reject) => {
        const cut: ArmedCut = {
          pattern: bytes,
          resolve,
          reject,
          timer: setTimeout(() => {
            const index = armed.indexOf(cut);
            if (index < 0) return;
            armed.splice(index, 1);
            reject(
              new FaultNotTriggeredError(
                'timeout',
                `cutAfter: no client chunk matched the pattern within ${timeoutMs} ms`,
              ),
            );
          }, timeoutMs),
        };
        cut.timer.unref();
        armed.push(cut);
      });
    },
    close(): Promise<void> {
      closing ??= (async () => {
        for (const cut of armed.splice(0)) {
          clearTimeout(cut.timer);
          cut.reject(
            new FaultNotTriggeredError('closed', 'cutAfter: the fault proxy was closed before the fault fired'),
          );
        }
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const link of [...links]) kill(link);
        await stopped;
      })();
      return closing;
    },
  };
}
