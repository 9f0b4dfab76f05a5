import pg from 'pg';

/**
 * Sleeps until a signal, a timeout or `close()`. A signal that arrives while nobody waits is kept,
 * so a notification during a round makes the next wait return at once.
 */
export class Wakeup {
  #pending = false;
  #wake: (() => void) | undefined;

  /** Wakes the current waiter, or the next one. */
  signal(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Resolves on signal or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#pending = false;
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }
}

/** Longest wait for the LISTEN connection to connect and start listening, unless its config says otherwise (ms). */
export const LISTEN_CONNECT_TIMEOUT_MS = 10_000;
/** Retry delays of the LISTEN connection: doubling from 1 s up to this (ms). */
const LISTEN_RETRY_MAX_MS = 30_000;
/** Longest wait for the LISTEN connection to close on `close()` (ms). */
const LISTEN_CLOSE_TIMEOUT_MS = 2_000;

/**
 * A dedicated connection that `LISTEN`s on the outbox channel and signals `wakeup` on every
 * notification. Every step is bounded (connect and LISTEN by `connectionTimeoutMillis`, default
 * 10 s; close by 2 s), it reconnects in the background after errors (1 s doubling to 30 s), and the
 * relay never waits for it: while it is down the relay keeps polling. A listening connection sends
 * nothing, so one whose peer vanished without a reset (a failover behind a DNS name, a network
 * partition) would look alive forever: every `connectionTimeoutMillis` it runs `SELECT 1`, and one
 * not answered within that time counts as lost (reported, then replaced).
 */
export class NotificationListener {
  readonly #config: pg.ClientConfig;
  readonly #timeoutMs: number;
  readonly #channel: string;
  readonly #wakeup: Wakeup;
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(config: pg.ClientConfig, channel: string, wakeup: Wakeup, onError: (error: unknown) => void) {
    this.#timeoutMs = config.connectionTimeoutMillis ?? LISTEN_CONNECT_TIMEOUT_MS;
    this.#config = { ...config, connectionTimeoutMillis: this.#timeoutMs };
    this.#channel = channel;
    this.#wakeup = wakeup;
    this.#onError = onError;
  }

  /** Starts connecting in the background; returns at once. */
  open(): void {
    if (this.#closed) return;
    const client = new pg.Client(this.#config);
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    client.on('notification', () => this.#wakeup.signal());
    this.#client = client;
    const timer = setTimeout(() => {
      this.#lost(client, new Error(`LISTEN connection not ready within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
    timer.unref();
    client
      .connect()
      .then(() => client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`))
      .then(
        () => {
          clearTimeout(timer);
          if (this.#client !== client) return;
          this.#failures = 0;
          this.#scheduleHeartbeat(client);
          // Rows may have been committed while we were not listening.
          this.#wakeup.signal();
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#lost(client, error);
        },
      );
  }

  // The next heartbeat of a listening client: `SELECT 1`, answered within the connect timeout.
  #scheduleHeartbeat(client: pg.Client): void {
    this.#heartbeat = setTimeout(() => {
      this.#heartbeat = undefined;
      if (this.#client !== client) return;
      let timer: NodeJS.Timeout | undefined;
      const unanswered = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`LISTEN connection did not answer a heartbeat within ${this.#timeoutMs} ms`)),
          this.#timeoutMs,
        );
        timer.unref();
      });
      Promise.race([client.query('SELECT 1'), unanswered]).then(
        () => {
          clearTimeout(timer);
          if (this.#client === client) this.#scheduleHeartbeat(client);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#lost(client, error);
        },
      );
    }, this.#timeoutMs);
    this.#heartbeat.unref();
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
    void closeClient(client);
    if (this.#closed) return;
    if (error !== undefined) this.#onError(error);
    const delay = Math.min(LISTEN_RETRY_MAX_MS, 1000 * 2 ** this.#failures);
    this.#failures += 1;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.open();
    }, delay);
    this.#retry.unref();
  }

  /** Stops listening and closes the connection (waits at most 2 s). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await closeClient(client);
  }
}

/** Ends a client, waiting at most LISTEN_CLOSE_TIMEOUT_MS (a server that never answers never acknowledges). */
async function closeClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LISTEN_CLOSE_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}
