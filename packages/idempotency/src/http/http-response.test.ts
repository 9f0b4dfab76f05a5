import { describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyKeyReuseError,
  IdempotencyLeaseLostError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
} from '../errors.js';
import { idempotencyErrorResponse, replayHeaders } from './http-response.js';

describe('idempotencyErrorResponse', () => {
  it.each([
    [new IdempotencyKeyError('key', 'must not be empty'), 400, 'IDEMPOTENCY_KEY_INVALID'],
    [new IdempotencyInProgressError(7), 409, 'IDEMPOTENCY_IN_PROGRESS'],
    [new IdempotencyLeaseLostError(), 409, 'IDEMPOTENCY_LEASE_LOST'],
    [new IdempotencyKeyReuseError(), 422, 'IDEMPOTENCY_KEY_REUSED'],
    [new IdempotencyResultTooLargeError(500_000, 409_600), 500, 'IDEMPOTENCY_RESULT_TOO_LARGE'],
  ])('maps %s to its status and stable code', (error, status, code) => {
    const response = idempotencyErrorResponse(error);
    expect(response?.status).toBe(status);
    expect(response?.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(response?.body ?? '{}').error.code).toBe(code);
  });

  it('sets Retry-After only on in-progress', () => {
    expect(idempotencyErrorResponse(new IdempotencyInProgressError(7))?.headers['Retry-After']).toBe('7');
    expect(idempotencyErrorResponse(new IdempotencyKeyReuseError())?.headers['Retry-After']).toBeUndefined();
  });

  it('keeps server-side details out of 5xx bodies', () => {
    const body = JSON.parse(
      idempotencyErrorResponse(new IdempotencyRecordError('result', 'is not JSON'))?.body ?? '{}',
    );
    expect(body).toEqual({ error: { code: 'IDEMPOTENCY_RECORD_INVALID', message: 'Idempotency store error' } });
  });

  it('leaves other errors to the caller', () => {
    expect(idempotencyErrorResponse(new Error('boom'))).toBeUndefined();
    expect(idempotencyErrorResponse('string')).toBeUndefined();
  });
});

describe('replayHeaders', () => {
  it('adds Idempotent-Replayed only to replays', () => {
    expect(replayHeaders({ replayed: true })).toEqual({ 'Idempotent-Replayed': 'true' });
    expect(replayHeaders({ replayed: false })).toEqual({});
  });
});
