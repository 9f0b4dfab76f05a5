/**
 * Longest any single SQS call of the handler or consumer may take (other than the long poll, which
 * has its own `receiveTimeoutSeconds`): a half-open connection must fail the call, not hang it and
 * the worker slot, delete or stop() waiting on it. Far above any healthy SQS latency.
 */
export const SQS_CALL_TIMEOUT_MS = 30_000;

/** Options for `client.send(command, callOptions())`: aborts the call after {@link SQS_CALL_TIMEOUT_MS}. */
export function callOptions(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(SQS_CALL_TIMEOUT_MS) };
}
