import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type CheckoutRequest, checkout } from '../api/checkout.js';
import type { HttpResponse } from '../api/http-response.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/**
 * `POST /checkout` inside a SERVER span, as an HTTP server's instrumentation (or API Gateway and
 * Lambda's) would open it: the commands the checkout enqueues capture this span's context, so the
 * order's whole flow is one trace. Sets `checkout.order_id` from a 201 and `checkout.replayed` when
 * the answer was a replay.
 */
export async function tracedCheckout(deps: CheckoutDeps, request: CheckoutRequest): Promise<HttpResponse> {
  const span = trace.getTracer('checkout-service').startSpan('POST /checkout', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'POST', 'http.route': '/checkout' },
  });
  try {
    const response = await context.with(trace.setSpan(context.active(), span), () => checkout(deps, request));
    span.setAttribute('http.response.status_code', response.status);
    if (response.status === 201) {
      span.setAttribute('checkout.order_id', (response.body as { orderId: string }).orderId);
      span.setAttribute('checkout.replayed', response.headers['Idempotent-Replayed'] === 'true');
    }
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
