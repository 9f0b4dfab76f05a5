import { RequestTimeoutError, WorkersConfigError } from '../errors.js';

/**
 * Default bound of any single SQS call other than the consumer's long poll (which has its own
 * `receiveTimeoutMs`), in milliseconds: a half-open connection must fail the call, not hang it and
 * whatever waits on it (a worker slot, a delete, `stop()`, a DLQ tool). Far above any healthy SQS
 * latency.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Largest `requestTimeoutMs` accepted (5 minutes). */
export const MAX_REQUEST_TIMEOUT_MS = 300_000;

/**
 * Validates an optional `requestTimeoutMs` option and returns the bound in milliseconds
 * (default {@link DEFAULT_REQUEST_TIMEOUT_MS}). Throws `WorkersConfigError` naming `field`.
 */
export function resolveRequestTimeoutMs(value: number | undefined, field = 'requestTimeoutMs'): number {
  const ms = value ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (typeof ms !== 'number' || !(ms > 0) || ms > MAX_REQUEST_TIMEOUT_MS) {
    throw new WorkersConfigError(
      field,
      `must be a number of milliseconds above 0 and at most ${MAX_REQUEST_TIMEOUT_MS}, got ${String(value)}`,
    );
  }
  return ms;
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
