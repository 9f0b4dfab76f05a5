import type { SpanRecord } from './span-record.js';

/** The `tracing` section of the demo report. */
export interface TracingReport {
  /** Orders with a recorded checkout request that created them. */
  readonly orders: number;
  /**
   * Of those, orders whose every recorded span (the checkout request, each publish, each worker's
   * processing) belongs to the order's trace (the creating request's) or links to it.
   */
  readonly connected: number;
  /** Spans recorded, over every process. */
  readonly spans: number;
  /** Checkout requests answered by a replay (a duplicate submission): they did no work for the order. */
  readonly replayedRequests: number;
  /** Up to 5 orders that are not connected, with the names of their stray spans. */
  readonly disconnected: readonly { readonly orderId: string; readonly stray: readonly string[] }[];
}

/** The spans of each order (by `orderId`), replayed requests left out. */
export function spansByOrder(records: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const byOrder = new Map<string, SpanRecord[]>();
  for (const record of records) {
    if (record.orderId === undefined || record.replayed) continue;
    const list = byOrder.get(record.orderId) ?? [];
    list.push(record);
    byOrder.set(record.orderId, list);
  }
  return byOrder;
}

/** The request span that created the order (its trace is the order's trace). */
export function requestSpanOf(spans: readonly SpanRecord[]): SpanRecord | undefined {
  return spans.find((span) => span.kind === 'server');
}

/** Counts the orders whose recorded spans form one connected trace (see {@link TracingReport}). */
export function tracingReport(records: readonly SpanRecord[]): TracingReport {
  let orders = 0;
  let connected = 0;
  const disconnected: { orderId: string; stray: string[] }[] = [];
  for (const [orderId, spans] of spansByOrder(records)) {
    const request = requestSpanOf(spans);
    if (request === undefined) continue;
    orders += 1;
    const stray = spans.filter(
      (span) => span.traceId !== request.traceId && !span.links.some((link) => link.traceId === request.traceId),
    );
    if (stray.length === 0) connected += 1;
    else if (disconnected.length < 5) disconnected.push({ orderId, stray: stray.map((span) => span.name) });
  }
  return {
    orders,
    connected,
    spans: records.length,
    replayedRequests: records.filter((record) => record.replayed).length,
    disconnected,
  };
}

/**
 * One order's trace as an indented timeline: each span under its parent (a span whose parent was
 * not recorded starts a line at the left, marked `~` when it is only linked to the order's trace),
 * with its start offset from the request, kind and duration.
 */
export function formatTimeline(orderId: string, records: readonly SpanRecord[]): string {
  const spans = [...(spansByOrder(records).get(orderId) ?? [])].sort((a, b) => a.startMs - b.startMs);
  const request = requestSpanOf(spans);
  if (request === undefined) return `order ${orderId}: no request span recorded`;
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, SpanRecord[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  const lines = [`order ${orderId}, trace ${request.traceId}`];
  const visit = (span: SpanRecord, depth: number) => {
    const offset = `+${(span.startMs - request.startMs).toFixed(1)} ms`.padStart(12);
    const linked = span.traceId === request.traceId ? ' ' : '~';
    lines.push(
      `${offset} ${linked}${'  '.repeat(depth)}${span.name} (${span.kind}, ${span.durationMs.toFixed(1)} ms${span.error ? ', error' : ''}${span.pid === request.pid ? '' : `, pid ${span.pid}`})`,
    );
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  return lines.join('\n');
}
