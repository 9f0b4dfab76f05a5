import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord } from './span-record.js';

const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'];

function toRecord(span: ReadableSpan): SpanRecord {
  const attributes = span.attributes;
  const orderId = attributes['checkout.order_id'] ?? attributes['checkout.outbox.group_key'];
  const [startSeconds, startNanos] = span.startTime;
  const [durationSeconds, durationNanos] = span.duration;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    startMs: startSeconds * 1000 + startNanos / 1e6,
    durationMs: durationSeconds * 1000 + durationNanos / 1e6,
    orderId: typeof orderId === 'string' ? orderId : undefined,
    replayed: attributes['checkout.replayed'] === true,
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
    error: span.status.code === 2,
    events: span.events.map((event) => event.name),
    pid: process.pid,
  };
}

/** Spans recorded in this process (and, with a directory, written there for the parent to read). */
export interface SpanCollector {
  /** Spans finished in this process so far. */
  records(): SpanRecord[];
  /** Appends the spans not written yet to `<dir>/spans-<pid>.jsonl` (when a directory was given). */
  flush(): void;
  /** Flushes, unregisters the provider and the context manager. */
  close(): Promise<void>;
}

/**
 * Registers a tracer provider whose processor keeps every finished span as a {@link SpanRecord}
 * (the OpenTelemetry SDK and an AsyncLocalStorage context manager: what an app does at startup).
 * With `dir`, the records are also appended to a file of this process every `flushEveryMs`, so the
 * demo's worker processes (killed and restarted by chaos) hand theirs to the parent; a process
 * SIGKILLed loses at most its last interval, which only means fewer spans recorded.
 */
export function startSpanCollector(
  options: { readonly dir?: string; readonly flushEveryMs?: number } = {},
): SpanCollector {
  const records: SpanRecord[] = [];
  let written = 0;
  const processor: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => {
      records.push(toRecord(span));
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const file = options.dir === undefined ? undefined : join(options.dir, `spans-${process.pid}.jsonl`);
  const flush = () => {
    if (file === undefined || written === records.length) return;
    const lines = records.slice(written).map((record) => `${JSON.stringify(record)}\n`);
    written = records.length;
    appendFileSync(file, lines.join(''));
  };
  const timer = file === undefined ? undefined : setInterval(flush, options.flushEveryMs ?? 250);
  timer?.unref();
  return {
    records: () => [...records],
    flush,
    async close() {
      clearInterval(timer);
      flush();
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** Every record the processes wrote to `dir` (`spans-<pid>.jsonl`); a torn last line is skipped. */
export function readSpanRecords(dir: string): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^spans-\d+\.jsonl$/.test(name)) continue;
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line.length === 0) continue;
      try {
        out.push(JSON.parse(line) as SpanRecord);
      } catch {
        // A process killed mid-write.
      }
    }
  }
  return out;
}
