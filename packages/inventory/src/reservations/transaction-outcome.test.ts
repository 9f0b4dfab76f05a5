import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { classifyTransactionError } from './transaction-outcome.js';

function cancelled(codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('classifyTransactionError', () => {
  it('retries pure contention', () => {
    expect(classifyTransactionError(cancelled(['None', 'TransactionConflict']))).toMatchObject({ retryable: true });
    expect(classifyTransactionError(cancelled(['ThrottlingError', 'None']))).toMatchObject({ retryable: true });
  });

  it('treats a failed condition as a decision, even next to a conflict', () => {
    expect(classifyTransactionError(cancelled(['None', 'ConditionalCheckFailed']))).toMatchObject({
      kind: 'cancelled',
      retryable: false,
    });
    expect(classifyTransactionError(cancelled(['ConditionalCheckFailed', 'TransactionConflict']))).toMatchObject({
      retryable: false,
    });
  });

  it('marks in-progress and server errors ambiguous and passes anything else through', () => {
    for (const name of ['TransactionInProgressException', 'InternalServerError']) {
      expect(classifyTransactionError(Object.assign(new Error('x'), { name }))).toEqual({ kind: 'ambiguous' });
    }
    expect(classifyTransactionError(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }))).toEqual({
      kind: 'other',
    });
    expect(classifyTransactionError(new Error('boom'))).toEqual({ kind: 'other' });
    expect(classifyTransactionError(cancelled(['ValidationError']))).toMatchObject({ retryable: false });
  });
});
