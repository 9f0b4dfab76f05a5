/** One finished span as the demo keeps it (from any process): enough to rebuild an order's trace. */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** `server`, `client`, `producer`, `consumer` or `internal`. */
  readonly kind: string;
  readonly startMs: number;
  readonly durationMs: number;
  /** The order the span worked for: `checkout.order_id`, or the publish's group key (the order id). */
  readonly orderId: string | undefined;
  /** A checkout request that replayed a stored answer (it did no work for the order). */
  readonly replayed: boolean;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  readonly error: boolean;
  /** Names of the span's events (`state_machine.transition`, `idempotency.replayed`, ...). */
  readonly events: readonly string[];
  /** The process that recorded it. */
  readonly pid: number;
}
