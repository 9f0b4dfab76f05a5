import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderUnavailableError } from '../errors.js';

/** The wait before the one inline retry: this much, plus up to as much again at random. */
const RETRY_DELAY_MS = 100;

/**
 * Calls the payment provider, and once more after 100-200 ms when its answer was lost
 * (`ProviderUnavailableError`: no answer, a dropped connection, an outage). Every call of a handler
 * carries the command's key as the provider's request id, so the second call cannot charge twice: it
 * gets the first call's outcome. An inline retry costs one provider call; giving the command back to
 * the queue costs at least a second (SQS visibility is in whole seconds), a redelivery and another run
 * of the handler. A second failure, throttling (429: the provider asked us to wait) and any other
 * error are thrown as they are, for the queue to retry. An abort of `signal` during the wait (the
 * handler is being given up on) throws the first failure without calling again.
 */
export async function retryLostResponse<T>(
  call: () => Promise<T>,
  signal: AbortSignal,
  random: () => number = Math.random,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ProviderUnavailableError)) throw error;
    try {
      await sleep(RETRY_DELAY_MS * (1 + random()), undefined, { signal });
    } catch {
      throw error;
    }
    return call();
  }
}
