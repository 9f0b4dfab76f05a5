import {
  type Otel,
  otel,
  type TraceContextHeaders,
  traceparentFromXray,
  traceparentProblem,
  tracestateProblem,
} from '@checkout/core';
import type { SpanContext } from '@opentelemetry/api';

/** W3C `traceparent` of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The active span's `traceparent`, or `undefined` when there is none (or no OpenTelemetry). */
export function activeTraceparent(): string | undefined {
  const api = otel();
  if (api === undefined) return undefined;
  const spanContext = api.trace.getSpanContext(api.context.active());
  return spanContext === undefined || !api.isSpanContextValid(spanContext) ? undefined : formatTraceparent(spanContext);
}

/** A remote span context from text, or `undefined` when `traceparent` is not valid. */
export function parseTraceContext(api: Otel, headers: TraceContextHeaders | undefined): SpanContext | undefined {
  if (headers === undefined || traceparentProblem(headers.traceparent) !== undefined) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = headers.traceparent.split('-');
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 0xff,
    isRemote: true,
    ...(headers.tracestate !== undefined && tracestateProblem(headers.tracestate) === undefined
      ? { traceState: api.createTraceState(headers.tracestate) }
      : {}),
  };
}

/**
 * The producer's context of a delivery, first found of: the `traceparent` (+ `tracestate`) message
 * attributes (the relay's publish span), the `AWSTraceHeader` system attribute (X-Ray), the
 * envelope's `traceparent` (the request that enqueued the command).
 */
export function producerContext(
  attributes: Readonly<Record<string, { readonly StringValue?: string | undefined }>>,
  awsTraceHeader: string | undefined,
  envelopeTraceparent: string | undefined,
): TraceContextHeaders | undefined {
  const fromAttribute = attributes.traceparent?.StringValue;
  if (fromAttribute !== undefined && traceparentProblem(fromAttribute) === undefined) {
    const tracestate = attributes.tracestate?.StringValue;
    return tracestate === undefined ? { traceparent: fromAttribute } : { traceparent: fromAttribute, tracestate };
  }
  const fromXray = awsTraceHeader === undefined ? undefined : traceparentFromXray(awsTraceHeader);
  if (fromXray !== undefined) return { traceparent: fromXray };
  if (envelopeTraceparent !== undefined && traceparentProblem(envelopeTraceparent) === undefined) {
    return { traceparent: envelopeTraceparent };
  }
  return undefined;
}
