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
}

/** What the buyers saw. */
export interface LoadResult {
  readonly submissions: readonly CheckoutSubmission[];
  readonly requests: number;
  readonly latenciesMs: readonly number[];
  readonly statuses: Readonly<Record<string, number>>;
}

/**
 * Plays buyers: each checkout is submitted 2-4 times at once with the same key (double clicks,
 * client retries), as the API would receive them.
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
  let requests = 0;
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < plans.length; index = next++) {
      const plan = plans[index];
      if (plan === undefined) break;
      const answers = await Promise.all(
        Array.from({ length: plan.copies }, async () => {
          const started = performance.now();
          const response = await tracedCheckout(deps, {
            idempotencyKey: plan.key,
            principal: 'demo-shop',
            body: plan.body,
          });
          latenciesMs.push(performance.now() - started);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          return response;
        }),
      );
      requests += answers.length;
      submissions.push({
        principal: 'demo-shop',
        key: plan.key,
        orderIds: answers.filter((a) => a.status === 201).map((a) => (a.body as { orderId: string }).orderId),
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { submissions, requests, latenciesMs, statuses };
}
