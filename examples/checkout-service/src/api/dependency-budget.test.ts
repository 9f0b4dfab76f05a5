import { DependencyUnavailableError } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import { OrderNotFoundError } from '../errors.js';
import { bestEffortWithin, CHECKOUT_BUDGET, withinBudget } from './dependency-budget.js';

const never = () => new Promise<never>(() => {});

describe('withinBudget', () => {
  it('answers DEPENDENCY_UNAVAILABLE when the work does not finish in time', async () => {
    const error = await withinBudget('postgres', 5, never()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({
      dependency: 'postgres',
      httpStatus: 503,
      retryAfterSeconds: CHECKOUT_BUDGET.retryAfterSeconds,
      failure: { kind: 'timeout' },
    });
  });

  it('turns a transient failure into a 503 and leaves every other error as it is', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(withinBudget('postgres', 1_000, Promise.reject(reset))).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      cause: reset,
    });
    const notFound = new OrderNotFoundError();
    await expect(withinBudget('postgres', 1_000, Promise.reject(notFound))).rejects.toBe(notFound);
    const bug = new TypeError('x is undefined');
    await expect(withinBudget('postgres', 1_000, Promise.reject(bug))).rejects.toBe(bug);
    // A statement that is wrong (a unique violation) is no outage: a retry would repeat it.
    const duplicateKey = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(withinBudget('postgres', 1_000, Promise.reject(duplicateKey))).rejects.toBe(duplicateKey);
  });

  it('returns the result of work that finishes', async () => {
    expect(await withinBudget('postgres', 1_000, Promise.resolve(7))).toBe(7);
  });
});

describe('bestEffortWithin', () => {
  it('reports done, failed (with the error) or timed out, and never throws', async () => {
    expect(await bestEffortWithin(1_000, Promise.resolve('saved'))).toEqual({ done: true });
    const error = new Error('throttled');
    expect(await bestEffortWithin(1_000, Promise.reject(error))).toEqual({ done: false, timedOut: false, error });
    expect(await bestEffortWithin(5, never())).toEqual({ done: false, timedOut: true });
  });
});
