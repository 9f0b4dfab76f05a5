interface Waiter {
  readonly resolve: (granted: boolean) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * Token bucket: `perSecond` tokens per second, at most `burst` saved up. Tokens are computed from
 * a monotonic clock when asked (never from timer ticks), so a late timer delays a grant but can
 * never hand out more than `burst + perSecond * t` tokens in any window of `t` seconds.
 * Waiters are served in arrival order.
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #waiters: Waiter[] = [];

  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Resolves `true` when a token is granted, `false` if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      // One listener per wait, removed once served: a long-lived signal must not collect them.
      const onAbort = () => this.#pump();
      const done = (granted: boolean) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      this.#waiters.push({ resolve: done, signal });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pump();
    });
  }

  #pump(): void {
    for (;;) {
      const head = this.#waiters[0];
      if (head === undefined) return;
      if (head.signal?.aborted === true) {
        this.#waiters.shift();
        head.resolve(false);
        continue;
      }
      const now = this.#now();
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#waiters.shift();
        head.resolve(true);
        continue;
      }
      if (this.#timer === undefined) {
        const waitMs = Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs));
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, waitMs);
      }
      return;
    }
  }
}
