import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The W3C `traceparent` of the active span, or `null` without one (no tracer registered, or no span
 * active). The checkout stores it on the order, so commands enqueued later outside any request (the
 * deadline sweeper's) continue the order's trace instead of starting their own.
 */
export function activeTraceparent(): string | null {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return null;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}
