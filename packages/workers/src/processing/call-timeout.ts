import { InvalidOptionsError, RequestTimeoutError } from '../errors.js';

/**
 * Default bound of any single SQS call other than the consumer's long poll (which has its own
 * `receiveTimeoutSeconds`), in seconds: a half-open connection must fail the call, not hang it and
 * whatever waits on it (a worker slot, a delete, `stop()`, a DLQ tool). Far above any healthy SQS
 * latency.
 */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;

/** Largest `requestTimeoutSeconds` accepted. */
export const MAX_REQUEST_TIMEOUT_SECONDS = 300;

/**
 * Validates an optional `requestTimeoutSeconds` option and returns the bound in milliseconds
 * (default {@link DEFAULT_REQUEST_TIMEOUT_SECONDS}). Throws `InvalidOptionsError` naming `field`.
 */
export function requestTimeoutMs(value: number | undefined, field = 'requestTimeoutSeconds'): number {
  const seconds = value ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
  if (typeof seconds !== 'number' || !(seconds > 0) || seconds > MAX_REQUEST_TIMEOUT_SECONDS) {
    throw new InvalidOptionsError(
      field,
      `must be a number of seconds above 0 and at most ${MAX_REQUEST_TIMEOUT_SECONDS}, got ${String(value)}`,
    );
  }
  return seconds * 1000;
}

/**
 * Runs one SQS call with an abort signal that fires after `timeoutMs` (the whole call, the SDK's
 * retries included). A call aborted that way rejects with a {@link RequestTimeoutError} naming
 * `operation` (and `detail`, when given); any other failure is rethrown as is.
 *
 * @example await boundedCall('SendMessage', timeoutMs, (options) => client.send(command, options));
 */
export async function boundedCall<Output>(
  operation: string,
  timeoutMs: number,
  call: (options: { abortSignal: AbortSignal }) => Promise<Output>,
  detail?: () => string,
): Promise<Output> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await call({ abortSignal: controller.signal });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    throw new RequestTimeoutError(operation, timeoutMs, {
      cause: error,
      ...(detail === undefined ? {} : { detail: detail() }),
    });
  } finally {
    clearTimeout(timer);
  }
}
