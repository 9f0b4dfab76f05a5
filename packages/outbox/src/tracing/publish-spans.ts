import { otel, tracerRegistered } from '@checkout/core';
import type { Span } from '@opentelemetry/api';
import type { PublishEntry, PublishOutcome } from '../publishers/publisher.js';
import type { ClaimedRow } from '../relay/claim.js';
import { contextOf, formatTraceparent, parseTraceContext } from './trace-context.js';

/** The entries of one publish call, and the end of their publish spans. */
export interface PublishSpans {
  readonly entries: PublishEntry[];
  /** Ends every span with its entry's outcome (`undefined`: the call gave none). */
  end(outcomes: readonly PublishOutcome[] | undefined, error?: string): void;
}

/** Name of the tracer of the relay's spans (the instrumentation scope). */
export const OUTBOX_TRACER = '@checkout/outbox';

/**
 * One PRODUCER span per row, `<destination> publish`: a child of the context captured when the row
 * was enqueued, and linked to it, never to whatever span is active in the relay (its poll or its
 * Lambda invocation): the row was caused by the request that wrote it. The entry carries the span's
 * context, so the consumer continues from the publish. Without a registered tracer the span is a
 * no-op that carries the captured context itself; without `@opentelemetry/api` the captured context
 * is passed on as it is.
 */
export function startPublishSpans(
  rows: readonly ClaimedRow[],
  toEntry: (row: ClaimedRow) => PublishEntry,
  messagingSystem: string | undefined,
): PublishSpans {
  const api = otel();
  // No API, or no tracer registered: no span would record; the captured context is passed on as is.
  if (api === undefined || !tracerRegistered(api)) {
    return {
      entries: rows.map((row) => ({
        ...toEntry(row),
        ...(row.trace_parent == null ? {} : { traceparent: row.trace_parent }),
        ...(row.trace_parent == null || row.trace_state == null ? {} : { tracestate: row.trace_state }),
      })),
      end: () => {},
    };
  }
  const tracer = api.trace.getTracer(OUTBOX_TRACER);
  const spans: Span[] = [];
  const entries = rows.map((row) => {
    const captured = parseTraceContext(api, row.trace_parent, row.trace_state);
    const span = tracer.startSpan(
      `${row.destination} publish`,
      {
        kind: api.SpanKind.PRODUCER,
        links: captured === undefined ? [] : [{ context: captured }],
        attributes: {
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'publish',
          'messaging.destination.name': row.destination,
          ...(messagingSystem === undefined ? {} : { 'messaging.system': messagingSystem }),
          'checkout.outbox.row_id': row.id,
          'checkout.outbox.attempt': row.attempts + 1,
          ...(row.group_key === null ? {} : { 'checkout.outbox.group_key': row.group_key }),
        },
      },
      contextOf(api, captured),
    );
    spans.push(span);
    const spanContext = span.spanContext();
    if (!api.isSpanContextValid(spanContext)) return toEntry(row);
    const tracestate = spanContext.traceState?.serialize();
    return {
      ...toEntry(row),
      traceparent: formatTraceparent(spanContext),
      ...(tracestate === undefined || tracestate === '' ? {} : { tracestate }),
    };
  });
  return {
    entries,
    end(outcomes, error) {
      spans.forEach((span, index) => {
        const outcome = outcomes?.[index];
        if (outcome?.ok === true) {
          if (outcome.messageId !== undefined) span.setAttribute('messaging.message.id', outcome.messageId);
        } else {
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: outcome?.error ?? error ?? 'no outcome' });
        }
        span.end();
      });
    },
  };
}
