/** The part of an AWS Lambda `Context` the lease needs. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** Default in-progress lease when no Lambda context is given: 60 seconds. */
export const DEFAULT_LEASE_SECONDS = 60;

/**
 * How long this attempt may hold the key in progress: the Lambda's remaining time when a context is
 * given (the attempt cannot outlive its invocation), else the configured lease. At least one second.
 */
export function leaseMsFor(leaseSeconds: number, context: LambdaContextLike | undefined): number {
  const remaining = context?.getRemainingTimeInMillis();
  // Whole milliseconds: stores keep epoch milliseconds as integers (Postgres bigint).
  if (typeof remaining === 'number' && Number.isFinite(remaining)) return Math.max(1000, Math.ceil(remaining));
  return Math.ceil(leaseSeconds * 1000);
}
