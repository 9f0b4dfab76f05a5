import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

// Cancellation codes that say "someone else was writing these items" or "slow down": nothing was
// written, and the same transaction may succeed a moment later.
const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/** How a failed `TransactWriteItems` call should be handled. */
export type TransactionFailure =
  | { readonly kind: 'cancelled'; readonly reasons: readonly CancellationReason[]; readonly retryable: boolean }
  | { readonly kind: 'retryable' }
  | { readonly kind: 'other' };

/**
 * Classifies an error from `TransactWriteItems`. A cancellation is retryable only when no item failed
 * its condition: a failed condition is a decision (sold out, already reserved), not contention.
 */
export function classifyTransactionError(error: unknown): TransactionFailure {
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    const conditionFailed = reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
    const contended = reasons.some((reason) => RETRYABLE_REASONS.has(reason.Code ?? ''));
    return { kind: 'cancelled', reasons, retryable: contended && !conditionFailed };
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TransactionInProgressException' || name === 'TransactionConflictException') {
    return { kind: 'retryable' };
  }
  return { kind: 'other' };
}
