import { otel } from '@checkout/core';

/**
 * Adds `state_machine.transition` to the active span (when `@opentelemetry/api` is installed and a
 * span is recording), with `checkout.state_machine.outcome` (`applied`, `duplicate`, `not-allowed`),
 * the machine, aggregate id, event and states. Never throws.
 */
export function transitionSpanEvent(attributes: {
  readonly outcome: 'applied' | 'duplicate' | 'not-allowed';
  readonly machineId: string;
  readonly aggregateId: string;
  readonly event: string;
  readonly from?: string;
  readonly to?: string;
}): void {
  try {
    const span = otel()?.trace.getActiveSpan();
    if (span === undefined || !span.isRecording()) return;
    span.addEvent('state_machine.transition', {
      'checkout.state_machine.outcome': attributes.outcome,
      'checkout.state_machine.machine': attributes.machineId,
      'checkout.state_machine.aggregate_id': attributes.aggregateId,
      'checkout.state_machine.event': attributes.event,
      ...(attributes.from === undefined ? {} : { 'checkout.state_machine.from': attributes.from }),
      ...(attributes.to === undefined ? {} : { 'checkout.state_machine.to': attributes.to }),
    });
  } catch {
    // Tracing must never change what the call does.
  }
}
