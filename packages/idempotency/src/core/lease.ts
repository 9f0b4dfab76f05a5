import type { LambdaContextLike } from '@checkout/core';

/** Default in-progress lease when no Lambda context is given: 60 seconds, in milliseconds. */
export const DEFAULT_LEASE_MS = 60_000;

/**
 * How long this attempt may hold the key in progress, in milliseconds: the Lambda's remaining time
 * when a context is given (the attempt cannot outlive its invocation), else the configured lease.
 * At least one second with a context.
 */
export function leaseMsFor(leaseMs: number, context: LambdaContextLike | undefined): number {
  const remaining = context?.getRemainingTimeInMillis();
  // Whole milliseconds: stores keep epoch milliseconds as integers (Postgres bigint).
  if (typeof remaining === 'number' && Number.isFinite(remaining)) return Math.max(1000, Math.ceil(remaining));
  return leaseMs;
}
