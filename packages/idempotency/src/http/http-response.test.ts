import { toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import {
  IdempotencyConfigError,
  IdempotencyInProgressError,
  IdempotencyInputError,
  IdempotencyKeyError,
  IdempotencyKeyReuseError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
  IdempotencyResultUnserializableError,
} from '../errors.js';
import { replayHeaders } from './replay-headers.js';

// The package has no HTTP mapper of its own: core's toHttpResponse answers for every error.
describe('toHttpResponse on idempotency errors', () => {
  it.each([
    [new IdempotencyKeyError('key', 'must not be empty'), 400, 'IDEMPOTENCY_KEY_INVALID'],
    [new IdempotencyPayloadError('$.cart: a Cart instance has no defined content'), 400, 'IDEMPOTENCY_PAYLOAD_INVALID'],
    [new IdempotencyInputError(['request', 'leaseToken'], 'must not be empty'), 400, 'IDEMPOTENCY_INVALID_INPUT'],
    [new IdempotencyInProgressError(7), 409, 'IDEMPOTENCY_IN_PROGRESS'],
    [new IdempotencyLeaseLostError(), 409, 'IDEMPOTENCY_LEASE_LOST'],
    [new IdempotencyKeyReuseError(), 422, 'IDEMPOTENCY_KEY_REUSED'],
    [new IdempotencyResultTooLargeError(500_000, 409_600), 500, 'IDEMPOTENCY_RESULT_TOO_LARGE'],
    [
      new IdempotencyResultUnserializableError('$.amount: a bigint has no JSON form'),
      500,
      'IDEMPOTENCY_RESULT_UNSERIALIZABLE',
    ],
    [new IdempotencyRecordError('result', 'is not JSON'), 500, 'IDEMPOTENCY_RECORD_INVALID'],
    [new IdempotencyConfigError(['ttlSeconds'], 'must be positive'), 500, 'IDEMPOTENCY_INVALID_CONFIG'],
  ])('maps %s to its status and stable code', (error, status, code) => {
    expect(error.httpStatus).toBe(status);
    const response = toHttpResponse(error);
    expect(response?.status).toBe(status);
    expect(response?.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(response?.body ?? '{}').error.code).toBe(code);
  });

  it('sets Retry-After only on in-progress', () => {
    const inProgress = new IdempotencyInProgressError(7);
    expect(inProgress.retryAfterSeconds).toBe(7);
    expect(toHttpResponse(inProgress)?.headers['Retry-After']).toBe('7');
    expect(toHttpResponse(new IdempotencyKeyReuseError())?.headers['Retry-After']).toBeUndefined();
    expect(toHttpResponse(new IdempotencyLeaseLostError())?.headers['Retry-After']).toBeUndefined();
  });

  it('names the bad field of a 400, never echoing the key', () => {
    const body = JSON.parse(toHttpResponse(new IdempotencyKeyError('scope', 'must not be empty'))?.body ?? '{}');
    expect(body).toEqual({
      error: {
        code: 'IDEMPOTENCY_KEY_INVALID',
        message: 'Invalid idempotency scope: must not be empty',
        field: 'scope',
      },
    });
  });

  it('keeps server-side details out of 5xx bodies', () => {
    for (const error of [
      new IdempotencyRecordError('result', 'is not JSON'),
      new IdempotencyResultUnserializableError('$.secret: a bigint has no JSON form'),
      new IdempotencyConfigError(['table'], 'must match ...'),
    ]) {
      const body = JSON.parse(toHttpResponse(error)?.body ?? '{}');
      expect(body).toEqual({ error: { code: error.code, message: 'Internal error' } });
    }
  });

  it('leaves other errors to the caller', () => {
    expect(toHttpResponse(new Error('boom'))).toBeUndefined();
    expect(toHttpResponse('string')).toBeUndefined();
  });
});

describe('replayHeaders', () => {
  it('adds Idempotent-Replayed only to replays', () => {
    expect(replayHeaders({ replayed: true })).toEqual({ 'Idempotent-Replayed': 'true' });
    expect(replayHeaders({ replayed: false })).toEqual({});
  });
});
