import { backoffDelayMs } from '@checkout/core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxConfigError } from '../errors.js';
import { createOutbox } from '../outbox.js';
import { acceptAll } from '../test-support/flaky-publisher.js';
import type { OutboxObserver } from './observer.js';
import { createOutboxRelay, type OutboxRelayOptions } from './relay.js';

// Never connects: creating a relay checks its options and touches no database.
const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
afterAll(async () => {
  await db.destroy();
});
const base: OutboxRelayOptions<Record<string, never>> = { db, outbox: createOutbox(), publisher: acceptAll };

function configError(options: Partial<OutboxRelayOptions<Record<string, never>>>): OutboxConfigError {
  try {
    createOutboxRelay({ ...base, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(OutboxConfigError);
    return error as OutboxConfigError;
  }
  throw new Error('accepted');
}

describe('relay backoff: core backoffDelayMs with equal jitter', () => {
  it('doubles per attempt with equal jitter, capped', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(1, options, 'equal', () => 0)).toBe(50);
    expect(backoffDelayMs(1, options, 'equal', () => 1)).toBe(100);
    expect(backoffDelayMs(3, options, 'equal', () => 1)).toBe(400);
    expect(backoffDelayMs(30, options, 'equal', () => 1)).toBe(1000);
    expect(backoffDelayMs(30, options, 'equal', () => 0)).toBe(500);
  });
});

describe('createOutboxRelay options are checked at creation (OutboxConfigError naming the option)', () => {
  it('backoff: core backoffProblem, maxMs at most a day, baseMs at most maxMs', () => {
    expect(configError({ backoff: { baseMs: -1 } })).toMatchObject({ field: 'backoff.baseMs', httpStatus: 500 });
    expect(configError({ backoff: { maxMs: 86_400_001 } }).field).toBe('backoff.maxMs');
    expect(configError({ backoff: { baseMs: 10_000, maxMs: 5_000 } }).field).toBe('backoff.baseMs');
    expect(configError({ backoff: { baseMs: 400_000 } }).field).toBe('backoff.baseMs');
    expect(() => createOutboxRelay({ ...base, backoff: { baseMs: 0, maxMs: 0 } })).not.toThrow();
    expect(() => createOutboxRelay({ ...base, backoff: { baseMs: 86_400_000, maxMs: 86_400_000 } })).not.toThrow();
  });

  it('random and observer have the one shape', () => {
    expect(configError({ random: 0.5 as unknown as () => number }).field).toBe('random');
    expect(configError({ observer: 'log' as unknown as OutboxObserver }).field).toBe('observer');
    expect(() => createOutboxRelay({ ...base, random: () => 0.5, observer: {} })).not.toThrow();
  });

  it('the instances it is handed are checked too', () => {
    expect(configError({ db: {} as never }).field).toBe('db');
    expect(configError({ outbox: {} as never }).field).toBe('outbox');
    expect(configError({ publisher: { send: () => [] } as never }).field).toBe('publisher');
    expect(configError({ pool: 'postgres://x' as never }).field).toBe('pool');
    expect(configError({ listen: 5432 as never }).field).toBe('listen');
  });

  it('integer options name themselves', () => {
    expect(configError({ batchSize: 0 }).field).toBe('batchSize');
    expect(configError({ claimWindow: 1 }).field).toBe('claimWindow');
    expect(configError({ maxAttempts: 0 }).field).toBe('maxAttempts');
    expect(configError({ claimTimeoutMs: 10 }).field).toBe('claimTimeoutMs');
    expect(configError({ pollIntervalMs: Number.NaN }).field).toBe('pollIntervalMs');
    expect(configError({ statsIntervalMs: -1 }).field).toBe('statsIntervalMs');
    expect(configError({ onSent: 'drop' as 'keep' }).field).toBe('onSent');
    expect(configError({ cleanup: { retentionMs: 1000, batchSize: 0 } }).field).toBe('cleanup.batchSize');
  });
});
