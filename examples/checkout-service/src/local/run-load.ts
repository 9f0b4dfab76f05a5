import type { CheckoutSubmission } from '../invariants/check-invariants.js';
import { createSeededRandom } from '../random/seeded-random.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { DECLINED_TOKEN } from '../simulators/payment-provider.js';
import { tracedCheckout } from '../tracing/traced-checkout.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly orders: number;
  readonly seed: number;
  /** Share of carts that buy the hot SKU. */
  readonly hotShare: number;
  /** Share of carts paid with a card the provider declines. */
  readonly declineShare: number;
  /** Checkouts submitted at once (each with its duplicates). Default 8. */
  readonly concurrency?: number;
  /**
   * The client's patience per request: an attempt not answered within it counts as `timeout` and is
   * retried with the same key (the server may still finish it: a retry then replays). Default 10 000.
   */
  readonly clientTimeoutMs?: number;
  /**
   * Attempts per submission (the first included) before the client gives up on a key that keeps
   * answering 503 / 409 or timing out. Default 30.
   */
  readonly maxAttempts?: number;
  /** Longest wait between attempts, whatever `Retry-After` says. Default 5 000. */
  readonly maxRetryDelayMs?: number;
  /**
   * Spread the checkouts over at least this long (checkout `i` starts no earlier than
   * `i / orders * spreadMs` after the start), so faults planned over that window meet live traffic.
   * Default 0 (as fast as the API answers).
   */
  readonly spreadMs?: number;
}

/** What the buyers saw. */
export interface LoadResult {
  readonly submissions: readonly CheckoutSubmission[];
  readonly requests: number;
  readonly latenciesMs: readonly number[];
  /** HTTP answers by status code, every attempt (retries included). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Attempts sent, retries included (`requests` counts submissions: the 2-4 copies of each checkout). */
  readonly attempts: number;
  /** Every attempt's outcome: the HTTP status code, `timeout` (client gave up waiting) or `error` (the call threw). */
  readonly checkoutResponses: Readonly<Record<string, number>>;
  /** Keys with a submission that gave up (attempts exhausted) without a final answer. */
  readonly gaveUp: readonly string[];
}

/** Answers worth another attempt with the same key: unavailable (503), in progress elsewhere (409), 500s, throttled. */
const RETRYABLE = new Set([409, 429, 500, 502, 503, 504]);
const CLIENT_TIMEOUT = Symbol('client timeout');

function retryAfterMs(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const seconds = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : undefined;
}

/**
 * Plays buyers: each checkout is submitted 2-4 times at once with the same key (double clicks,
 * client retries), as the API would receive them. Each submission behaves like a real client: it
 * waits at most `clientTimeoutMs` per attempt, and on a 503 / 409 / 5xx, a timeout or a network
 * error it retries with the SAME key (honouring `Retry-After`, capped, else backing off) until it
 * gets a final answer or `maxAttempts` ran out (the key is then listed in `gaveUp`).
 */
export async function runLoad(deps: CheckoutDeps, options: LoadOptions): Promise<LoadResult> {
  const random = createSeededRandom(options.seed);
  const plans = Array.from({ length: options.orders }, (_, i) => {
    const hot = random.chance(options.hotShare);
    return {
      key: `load-${options.seed}-${i}`,
      copies: random.int(2, 4),
      body: {
        customerId: `customer-${i}`,
        currency: 'EUR',
        lines: hot
          ? [{ sku: 'hot', quantity: 1 }]
          : [
              { sku: 'mug', quantity: random.int(1, 3) },
              { sku: 'tee', quantity: 1 },
            ],
        ...(random.chance(0.25) ? { promoCode: 'TEN' } : {}),
        paymentToken: random.chance(options.declineShare) ? DECLINED_TOKEN : `tok_${i}`,
      },
    };
  });
  const submissions: CheckoutSubmission[] = [];
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const checkoutResponses: Record<string, number> = {};
  const gaveUp = new Set<string>();
  const clientTimeoutMs = options.clientTimeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 30;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
  const spreadMs = options.spreadMs ?? 0;
  const count = (outcome: string) => {
    checkoutResponses[outcome] = (checkoutResponses[outcome] ?? 0) + 1;
  };
  let requests = 0;
  let attempts = 0;
  let next = 0;
  const startedAt = performance.now();
  // One client's submission: attempts until a final answer (anything but retryable) or out of attempts.
  const submit = async (plan: (typeof plans)[number]) => {
    let retried = false;
    for (let attempt = 1; ; attempt++) {
      attempts += 1;
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      let outcome: Awaited<ReturnType<typeof tracedCheckout>> | typeof CLIENT_TIMEOUT | Error;
      try {
        const call = tracedCheckout(deps, { idempotencyKey: plan.key, principal: 'demo-shop', body: plan.body });
        // The server keeps going after the client stopped waiting: never an unhandled rejection.
        call.catch(() => {});
        outcome = await Promise.race([
          call,
          new Promise<typeof CLIENT_TIMEOUT>((resolve) => {
            timer = setTimeout(() => resolve(CLIENT_TIMEOUT), clientTimeoutMs);
          }),
        ]);
      } catch (error) {
        outcome = error instanceof Error ? error : new Error(String(error));
      } finally {
        clearTimeout(timer);
      }
      let delayMs: number;
      if (outcome === CLIENT_TIMEOUT) {
        count('timeout');
        delayMs = 500;
      } else if (outcome instanceof Error) {
        count('error');
        delayMs = 500;
      } else {
        latenciesMs.push(performance.now() - started);
        statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
        count(String(outcome.status));
        if (!RETRYABLE.has(outcome.status)) return { response: outcome, retried };
        delayMs = retryAfterMs(outcome.headers) ?? 500;
      }
      retried = true;
      if (attempt >= maxAttempts) {
        gaveUp.add(plan.key);
        return { response: undefined, retried };
      }
      // A little jitter so the copies of one key and the other buyers do not retry in lockstep.
      const backoff = Math.min(maxRetryDelayMs, delayMs * (1 + Math.min(attempt, 4) * 0.25));
      await new Promise((resolve) => setTimeout(resolve, backoff * (0.75 + random.next() * 0.5)));
    }
  };
  const worker = async () => {
    for (let index = next++; index < plans.length; index = next++) {
      const plan = plans[index];
      if (plan === undefined) break;
      if (spreadMs > 0) {
        const due = startedAt + (index / plans.length) * spreadMs - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
      const answers = await Promise.all(Array.from({ length: plan.copies }, () => submit(plan)));
      requests += answers.length;
      const retried = answers.some((a) => a.retried);
      submissions.push({
        principal: 'demo-shop',
        key: plan.key,
        orderIds: answers.flatMap((a) =>
          a.response?.status === 201 ? [(a.response.body as { orderId: string }).orderId] : [],
        ),
        ...(retried ? { retried: true } : {}),
        ...(answers.some((a) => a.response === undefined) ? { gaveUp: true } : {}),
        finalStatuses: answers.map((a) => a.response?.status ?? 'none'),
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return {
    submissions,
    requests,
    latenciesMs,
    statuses,
    attempts,
    checkoutResponses,
    gaveUp: [...gaveUp],
  };
}
