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

/**
 * A dedicated connection that `LISTEN`s on the outbox channel and signals `wakeup` on every
 * notification. It reconnects after errors; while it is down the relay keeps polling.
 */
export class NotificationListener {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #wakeup: Wakeup;
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(config: pg.ClientConfig, channel: string, wakeup: Wakeup, onError: (error: unknown) => void) {
    this.#config = config;
    this.#channel = channel;
    this.#wakeup = wakeup;
    this.#onError = onError;
  }

  /** Connects and listens; resolves once listening (or after a failed first try, which is retried). */
  async open(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client(this.#config);
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    client.on('notification', () => this.#wakeup.signal());
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
      // Rows may have been committed while we were not listening.
      this.#wakeup.signal();
    } catch (error) {
      this.#lost(client, error);
    }
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    if (this.#closed) return;
    if (error !== undefined) this.#onError(error);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.open();
    }, 1000);
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await client.end().catch(() => {});
  }
}
