import { describe, expect, it } from 'vitest';
import { ProviderThrottledError, ProviderUnavailableError } from '../errors.js';
import { retryLostResponse } from './retry-lost-response.js';

/** A provider call that answers with `outcomes` in turn (an Error is thrown), counting its calls. */
function provider(...outcomes: (string | Error)[]) {
  let calls = 0;
  const call = async () => {
    const outcome = outcomes[calls] ?? 'no more answers';
    calls += 1;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { call, calls: () => calls };
}

const live = new AbortController().signal;

describe('retryLostResponse', () => {
  it('answers the first call without a retry', async () => {
    const p = provider('authorized');
    await expect(retryLostResponse(p.call, live)).resolves.toBe('authorized');
    expect(p.calls()).toBe(1);
  });

  it('a lost answer: one more call after 100-200 ms, whose answer counts', async () => {
    const p = provider(new ProviderUnavailableError('lost'), 'authorized');
    const began = performance.now();
    await expect(retryLostResponse(p.call, live, () => 0)).resolves.toBe('authorized');
    expect(p.calls()).toBe(2);
    expect(performance.now() - began).toBeGreaterThanOrEqual(95);
  });

  it('two lost answers: the second failure is thrown, for the queue to retry', async () => {
    const second = new ProviderUnavailableError('lost again');
    const p = provider(new ProviderUnavailableError('lost'), second);
    await expect(retryLostResponse(p.call, live, () => 0)).rejects.toBe(second);
    expect(p.calls()).toBe(2);
  });

  it('throttling and other errors are thrown at once, without calling again', async () => {
    for (const error of [new ProviderThrottledError(1), new Error('card service bug')]) {
      const p = provider(error, 'authorized');
      await expect(retryLostResponse(p.call, live)).rejects.toBe(error);
      expect(p.calls()).toBe(1);
    }
  });

  it('an abort during the wait throws the first failure and calls no more', async () => {
    const first = new ProviderUnavailableError('lost');
    const p = provider(first, 'authorized');
    const abort = new AbortController();
    const pending = retryLostResponse(p.call, abort.signal, () => 0);
    abort.abort(new Error('handler timeout'));
    await expect(pending).rejects.toBe(first);
    expect(p.calls()).toBe(1);
  });
});
