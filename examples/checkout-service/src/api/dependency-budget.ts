import { DependencyUnavailableError, dependencyUnavailable, isCheckoutError } from '@checkout/core';

/**
 * How long the API may wait on its dependencies before it answers. A client that times out at
 * `clientTimeoutMs` (5 s) or later always gets an answer: 201/200, a 4xx, or 503 with
 * `Retry-After` during an outage, never a hang.
 *
 * - `postgresMs`: the request's Postgres work (the checkout transaction, the order read). Past it,
 *   503 `DEPENDENCY_UNAVAILABLE` (`postgres`); the work itself ends on the pool's own bounds
 *   (`POSTGRES_BOUNDS`), and if its COMMIT did land, a retry with the same key replays the order.
 * - `cartSnapshotMs`: the best-effort DynamoDB cart snapshot after the commit. Past it, the answer
 *   is sent (201: the order is committed) and the snapshot is logged as not saved.
 * - `retryAfterSeconds`: the `Retry-After` of a 503: long enough for a failover's first seconds,
 *   short enough that a retrying client sees the database back soon after it returns.
 */
export const CHECKOUT_BUDGET = {
  clientTimeoutMs: 5_000,
  postgresMs: 3_500,
  cartSnapshotMs: 1_000,
  retryAfterSeconds: 2,
} as const;

/**
 * Waits for `running` (work against `dependency`) at most `budgetMs`: its result, or a `DependencyUnavailableError`
 * (503 + `Retry-After`) when the budget runs out first or when it fails with a transient
 * infrastructure error (`transientFailure` of core: refused, reset, timed out, a failover's SQLSTATE).
 * Checkout-kit's own 4xx errors and every other error pass through unchanged. Work still running
 * when the budget ends is left to its own bounds (its late failure is swallowed).
 */
export async function withinBudget<T>(dependency: string, budgetMs: number, running: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DependencyUnavailableError({
            dependency,
            retryAfterSeconds: CHECKOUT_BUDGET.retryAfterSeconds,
            failure: { kind: 'timeout', reason: `no answer within ${budgetMs} ms` },
          }),
        ),
      budgetMs,
    );
  });
  try {
    return await Promise.race([running, expired]);
  } catch (error) {
    running.catch(() => {});
    throw asUnavailable(dependency, error);
  } finally {
    clearTimeout(timer);
  }
}

/** `error` as a 503 when it is a transient failure of `dependency` (and not one of our 4xx), else as is. */
export function asUnavailable(dependency: string, error: unknown): unknown {
  if (isCheckoutError(error) && error.httpStatus < 500) return error;
  return dependencyUnavailable(error, { dependency, retryAfterSeconds: CHECKOUT_BUDGET.retryAfterSeconds }) ?? error;
}

/** How best-effort work ended: done, failed with `error`, or still running when the budget ended. */
export type BestEffortOutcome =
  | { readonly done: true }
  | { readonly done: false; readonly timedOut: false; readonly error: unknown }
  | { readonly done: false; readonly timedOut: true };

/**
 * Waits at most `budgetMs` for best-effort `work` (already started). Work still running then goes on in the
 * background, bounded by its client's own timeouts (`AWS_BOUNDS`); its late failure is swallowed.
 */
export async function bestEffortWithin(budgetMs: number, work: Promise<unknown>): Promise<BestEffortOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<BestEffortOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ done: false, timedOut: true }), budgetMs);
  });
  const running = work.then(
    (): BestEffortOutcome => ({ done: true }),
    (error: unknown): BestEffortOutcome => ({ done: false, timedOut: false, error }),
  );
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
