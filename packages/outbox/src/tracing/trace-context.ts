import { type Otel, otel, type TraceContextHeaders, traceparentProblem, tracestateProblem } from '@checkout/core';
import type { Context, SpanContext } from '@opentelemetry/api';

/** W3C `traceparent` of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The active span's context as text (W3C), or `undefined` when there is none (or no OpenTelemetry). */
export function activeTraceContext(): TraceContextHeaders | undefined {
  const api = otel();
  if (api === undefined) return undefined;
  const spanContext = api.trace.getSpanContext(api.context.active());
  if (spanContext === undefined || !api.isSpanContextValid(spanContext)) return undefined;
  const traceState = spanContext.traceState?.serialize();
  return {
    traceparent: formatTraceparent(spanContext),
    ...(traceState === undefined || tracestateProblem(traceState) !== undefined ? {} : { tracestate: traceState }),
  };
}

/** A remote span context from text, or `undefined` when `traceparent` is not valid. */
export function parseTraceContext(
  api: Otel,
  traceparent: string | null | undefined,
  tracestate: string | null | undefined,
): SpanContext | undefined {
  if (typeof traceparent !== 'string' || traceparentProblem(traceparent) !== undefined) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = traceparent.split('-');
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 0xff,
    isRemote: true,
    ...(typeof tracestate === 'string' && tracestateProblem(tracestate) === undefined
      ? { traceState: api.createTraceState(tracestate) }
      : {}),
  };
}

/** `ROOT_CONTEXT` with `spanContext` as its (remote) parent, or the root itself. */
export function contextOf(api: Otel, spanContext: SpanContext | undefined): Context {
  return spanContext === undefined ? api.ROOT_CONTEXT : api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext);
}
