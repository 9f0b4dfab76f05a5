import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createKyselyIdempotencyStore, type KyselyIdempotencyStore } from '@checkout/idempotency/kysely';
import { type CartSnapshotStore, createCartSnapshotStore, createInventory, type Inventory } from '@checkout/inventory';
import { createOutbox, type Outbox } from '@checkout/outbox';
import type { OrderDeadlines, orderMachine, StateStore } from '@checkout/state-machine';
import type { Kysely } from 'kysely';
import type { CheckoutDatabase } from '../db/database.js';
import { createOrderStore, TABLES } from '../db/migrations.js';
import type { Catalog } from '../domain/price-cart.js';
import type { AuthorizeRequest, AuthorizeResult } from '../simulators/payment-provider.js';

/** The payment provider as the workers see it (`PaymentProviderClient` in the example). */
export interface PaymentGateway {
  /** Idempotent by `request.requestId`; throws `ProviderUnavailableError` when the outcome is unknown. */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Voids an authorization; idempotent. */
  void(authorizationId: string): Promise<unknown>;
  /**
   * Cancels an authorization request by its request id: voids what it authorized, or makes it decline
   * if the provider has not seen it yet (a timed-out payment whose outcome is unknown). Idempotent.
   */
  cancel(requestId: string): Promise<unknown>;
}

/** The email provider (not idempotent: the worker makes receipts at-most-once). */
export interface EmailGateway {
  send(email: { readonly to: string; readonly orderId: string; readonly template: string }): Promise<unknown>;
}

/** Everything the API and the workers need; built once per process ({@link createCheckoutDeps}). */
export interface CheckoutDeps {
  /** Kysely on the process's one bounded pool, not bound to a schema (packages qualify their own names). */
  readonly db: Kysely<CheckoutDatabase>;
  /** The Postgres schema holding every checkout table. */
  readonly schema: string;
  readonly outbox: Outbox;
  readonly orders: StateStore<typeof orderMachine, CheckoutDatabase>;
  readonly idempotency: KyselyIdempotencyStore;
  readonly inventory: Inventory;
  readonly carts: CartSnapshotStore;
  readonly catalog: Catalog;
  readonly payment: PaymentGateway;
  readonly email: EmailGateway;
}

/** Options of {@link createCheckoutDeps}. */
export interface CheckoutDepsOptions {
  readonly db: Kysely<CheckoutDatabase>;
  readonly schema: string;
  readonly dynamodb: DynamoDBClient;
  /** DynamoDB table of `@checkout/inventory` (stock, reservations, cart snapshots). */
  readonly inventoryTable: string;
  readonly catalog: Catalog;
  readonly payment: PaymentGateway;
  readonly email: EmailGateway;
  /** Order deadlines (whole seconds); default the production ones (15 minutes to pay, 10 to reserve). */
  readonly deadlines?: OrderDeadlines;
}

/** Wires the packages on one schema. Holds clients only; no per-request state. */
export function createCheckoutDeps(options: CheckoutDepsOptions): CheckoutDeps {
  const { db, schema } = options;
  return {
    db,
    schema,
    outbox: createOutbox({ schema, table: TABLES.outbox }),
    orders: createOrderStore(schema, options.deadlines),
    idempotency: createKyselyIdempotencyStore({ db, schema, table: TABLES.idempotency }),
    inventory: createInventory({ client: options.dynamodb, tableName: options.inventoryTable }),
    carts: createCartSnapshotStore({ client: options.dynamodb, tableName: options.inventoryTable }),
    catalog: options.catalog,
    payment: options.payment,
    email: options.email,
  };
}
