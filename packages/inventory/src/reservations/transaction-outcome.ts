import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

// Cancellation codes that say "someone else was writing these items" or "slow down": nothing was
// written, and the same transaction may succeed a moment later.
const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

// Errors after which the transaction may or may not have been applied; resending the identical
// request with the same ClientRequestToken is safe (applied at most once) and settles the question.
const AMBIGUOUS_ERRORS = new Set(['InternalServerError', 'TransactionInProgressException']);

/** How a failed `TransactWriteItems` call should be handled. */
export type TransactionFailure =
  | { readonly kind: 'cancelled'; readonly reasons: readonly CancellationReason[]; readonly retryable: boolean }
  | { readonly kind: 'ambiguous' }
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
  if (typeof name === 'string' && AMBIGUOUS_ERRORS.has(name)) return { kind: 'ambiguous' };
  return { kind: 'other' };
}
