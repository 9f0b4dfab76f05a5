import { otel } from '@checkout/core';

/**
 * Adds `idempotency.<what>` to the active span (when `@opentelemetry/api` is installed and a span is
 * recording): `executed` (the function ran), `replayed` (a stored result or error came back),
 * `in_progress`, `key_reuse`. Never throws.
 */
export function idempotencySpanEvent(
  what: 'executed' | 'replayed' | 'in_progress' | 'key_reuse',
  outcome?: string,
): void {
  try {
    const span = otel()?.trace.getActiveSpan();
    if (span === undefined || !span.isRecording()) return;
    span.addEvent(`idempotency.${what}`, outcome === undefined ? {} : { 'checkout.idempotency.outcome': outcome });
  } catch {
    // Tracing must never change what the call does.
  }
}
