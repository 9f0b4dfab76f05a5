import type { ColumnType } from 'kysely';

/** JSON stored in a `jsonb` column (written as a string, read back parsed). */
type Json<T> = ColumnType<T, string, string>;

/** One order line as priced at checkout. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

/**
 * The example's own tables (one Postgres schema, which also holds the packages' tables: the
 * state-machine columns on `orders` and `audit_events`, `checkout_outbox`, `idempotency_keys`).
 */
export interface CheckoutDatabase {
  orders: {
    id: string;
    /** Who checked out (the idempotency scope) and the key they sent: the durable trail of `oneOrderPerKey`. */
    principal: string;
    idempotency_key: string;
    customer_id: string;
    currency: string;
    subtotal: number;
    discount: number;
    tax: number;
    total: number;
    lines: Json<readonly OrderLine[]>;
    created_at: ColumnType<Date, never, never>;
    /** Filled by the state-machine store (`create`). */
    state: string | null;
    version: number | null;
    /** When the state's deadline is due (the state-machine store's deadline migration); `null` for none. */
    deadline_at: ColumnType<Date | null, never, never>;
    /**
     * W3C `traceparent` of the checkout request (`006_order_trace`), `null` when it was not traced:
     * commands enqueued outside a request (the deadline sweeper's) continue the order's trace with it.
     */
    trace_parent: ColumnType<string | null, string | null | undefined, never>;
  };
  payment_intents: {
    order_id: string;
    /** The provider idempotency key: derived from the order, so every retry reuses it. */
    provider_request_id: string;
    amount: number;
    currency: string;
    payment_token: string;
    status: 'pending' | 'authorized' | 'declined' | 'voided';
    authorization_id: string | null;
    decline_reason: string | null;
    updated_at: ColumnType<Date, never, Date>;
  };
  /** Reporting read model, fed only by PublishAnalytics commands (reports never query the tables above). */
  order_report: {
    order_id: string;
    customer_id: string;
    outcome: string;
    total: number;
    currency: string;
    units: number;
    recorded_at: ColumnType<Date, never, never>;
  };
}
