import { otel, tracerRegistered } from '@checkout/core';
import type { Span } from '@opentelemetry/api';
import type { InboundMessage } from '../processing/inbound-message.js';
import { parseTraceContext, producerContext } from './trace-context.js';

/** Tracing options of the Lambda handler and the consumer (`tracing`). */
export interface WorkerTracingOptions {
  /**
   * `false` (default): each message's `process` span is a child of the active context (the Lambda
   * invocation, the consumer's loop: usually none) and LINKS to the producer's context, as the
   * OpenTelemetry messaging conventions do for batches. `true`: it is a child of the producer's
   * context (and still links to it), so one order stays one trace from the checkout request through
   * every worker. Either way, commands a handler enqueues carry the `process` span's context.
   */
  readonly useProducerAsParent?: boolean;
}

/** One delivery's span: runs the handler inside it, ends with the outcome. */
export interface ProcessSpan {
  run<T>(work: () => Promise<T>): Promise<T>;
  end(outcome: string, error?: unknown): void;
}

const NO_SPAN: ProcessSpan = { run: (work) => work(), end: () => {} };

/** Name of the tracer of the workers' spans (the instrumentation scope). */
export const WORKERS_TRACER = '@checkout/workers';

/**
 * Starts the CONSUMER span `<queue> process` of one delivery (messaging semantic conventions:
 * `messaging.system` `aws_sqs`, destination, message id, operation; the order id and command type),
 * linked to the producer's context. Without `@opentelemetry/api` it is nothing at all.
 */
export function startProcessSpan(
  tracing: WorkerTracingOptions,
  message: InboundMessage,
  queue: string,
  envelope:
    | { readonly type: string; readonly orderId: string; readonly messageId: string; readonly traceparent?: string }
    | undefined,
): ProcessSpan {
  const api = otel();
  if (api === undefined) return NO_SPAN;
  const registered = tracerRegistered(api);
  // No tracer provider: no span would record. The producer's context is still passed on (commands
  // the handler enqueues carry it) when it is the parent; otherwise nothing to do.
  if (!registered && tracing.useProducerAsParent !== true) return NO_SPAN;
  const producer = parseTraceContext(
    api,
    producerContext(message.messageAttributes, message.awsTraceHeader, envelope?.traceparent),
  );
  const active = api.context.active();
  if (!registered) {
    if (producer === undefined) return NO_SPAN;
    const carried = api.trace.setSpanContext(active, producer);
    return { run: (work) => api.context.with(carried, work), end: () => {} };
  }
  const parent =
    tracing.useProducerAsParent === true && producer !== undefined
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, producer)
      : active;
  const span: Span = api.trace.getTracer(WORKERS_TRACER).startSpan(
    `${queue} process`,
    {
      kind: api.SpanKind.CONSUMER,
      links: producer === undefined ? [] : [{ context: producer }],
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': queue,
        'messaging.message.id': message.sqsMessageId,
        'checkout.receive_count': message.receiveCount,
        ...(envelope === undefined
          ? {}
          : {
              'checkout.order_id': envelope.orderId,
              'checkout.command.type': envelope.type,
              'checkout.command.message_id': envelope.messageId,
            }),
        ...(message.messageGroupId === undefined
          ? {}
          : { 'messaging.aws_sqs.message_group_id': message.messageGroupId }),
      },
    },
    parent,
  );
  const inside = api.trace.setSpan(parent, span);
  return {
    run: (work) => api.context.with(inside, work),
    end(outcome, error) {
      span.setAttribute('checkout.outcome', outcome);
      if (outcome !== 'processed') {
        if (error instanceof Error) span.recordException(error);
        span.setStatus({
          code: api.SpanStatusCode.ERROR,
          message: error instanceof Error ? `${error.name}: ${error.message}` : outcome,
        });
      }
      span.end();
    },
  };
}
