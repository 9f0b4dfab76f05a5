interface SlotWaiter {
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

  /** Waits for at least one free slot, takes up to `max`; resolves 0 if `signal` aborts first. */
  acquire(max: number, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted === true) return Promise.resolve(0);
    return new Promise((resolve) => {
      this.#waiters.push({ max, resolve, signal });
      signal?.addEventListener('abort', () => this.#pump(), { once: true });
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
      if (free < 1) return;
      const taken = Math.min(free, head.max);
      this.#used += taken;
      this.#waiters.shift();
      head.resolve(taken);
    }
  }
}
