interface SlotWaiter {
  readonly min: number;
  readonly max: number;
  readonly resolve: (taken: number) => void;
  readonly signal: AbortSignal | undefined;
}

/** A counting semaphore that can hand out up to `max` slots at once (for receive batches). */
export class Slots {
  readonly #limit: number;
  #used = 0;
  readonly #waiters: SlotWaiter[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Slots in use. */
  get used(): number {
    return this.#used;
  }

  /**
   * Waits until at least `min` slots are free (capped at the limit), then takes up to `max`;
   * resolves 0 if `signal` aborts first. Waiters are served in order.
   */
  acquire(max: number, signal?: AbortSignal, min = 1): Promise<number> {
    if (signal?.aborted === true) return Promise.resolve(0);
    return new Promise((resolve) => {
      // One listener per wait, removed once served: a long-lived signal must not collect them.
      const onAbort = () => this.#pump();
      const done = (taken: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(taken);
      };
      this.#waiters.push({ min: Math.min(min, max, this.#limit), max, resolve: done, signal });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pump();
    });
  }

  /** Returns `count` slots. */
  release(count: number): void {
    this.#used -= count;
    this.#pump();
  }

  #pump(): void {
    for (;;) {
      const head = this.#waiters[0];
      if (head === undefined) return;
      if (head.signal?.aborted === true) {
        this.#waiters.shift();
        head.resolve(0);
        continue;
      }
      const free = this.#limit - this.#used;
      if (free < Math.max(1, head.min)) return;
      const taken = Math.min(free, head.max);
      this.#used += taken;
      this.#waiters.shift();
      head.resolve(taken);
    }
  }
}
