import { randomUUID } from 'node:crypto';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { fieldPath } from '@checkout/core';
import { idempotentTransaction } from '@checkout/idempotency/kysely';
import { createOutboxRelay, createSqsPublisher, type OutboxRelay } from '@checkout/outbox';
import { InvalidTransitionError } from '@checkout/state-machine';
import { createSqsConsumer, encode, handleCommand, type SqsConsumer } from '@checkout/workers';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { authorizePayment } from './commands.js';
import { createComponents, type RecipeDatabase } from './database.js';
import { InvalidRequestError, OrderNotFoundError, UnauthenticatedError } from './errors.js';

/** Where the app finds Postgres and SQS (from the environment in production). */
export interface CheckoutConfig {
  readonly postgresUrl: string;
  /** The Postgres schema holding every table (migrated beforehand with `migrateToLatest`). */
  readonly schema: string;
  /** SQS client settings (region, endpoint, credentials). */
  readonly sqs: SQSClientConfig;
  /** The commands queue: the relay publishes to it, the consumer reads it (its redrive policy names the DLQ). */
  readonly queueUrl: string;
}

/** What `POST /checkout` accepts. */
export const CheckoutBody = z.object({
  cartId: z.string().min(1).max(64),
  amountMinor: z.int().min(1).max(10_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

/** The order as the API answers it (201 and `GET /orders/:id`). */
export interface OrderView {
  readonly orderId: string;
  readonly state: string;
  readonly amountMinor: number;
  readonly currency: string;
}

/** A checkout request as every framework hands it over: untrusted. */
export interface CheckoutRequest {
  readonly principal: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly body: unknown;
}

/** The framework-free checkout: the recipes only wire it into their framework. */
export interface Checkout {
  /** One order per (principal, `Idempotency-Key`); a retry gets the first answer, `replayed: true`. */
  placeOrder(request: CheckoutRequest): Promise<{ readonly order: OrderView; readonly replayed: boolean }>;
  /** The caller's order; another principal's order is a 404 like an unknown id. */
  getOrder(principal: string | undefined, orderId: string): Promise<OrderView>;
  /** Publishes the outbox to the commands queue: start it with the app, stop it on shutdown. */
  readonly relay: OutboxRelay;
  /** Handles the commands queue: start it with the app, stop it on shutdown. */
  readonly consumer: SqsConsumer;
  /** Closes the Postgres pool and the SQS client: call it last, after stopping the relay and the consumer. */
  close(): Promise<void>;
}

const PRINCIPAL = /^[A-Za-z0-9._:@-]{1,128}$/;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DESTINATION = 'checkout-commands';

/**
 * The caller's principal. A STUB: the recipes trust an `x-principal` header so that the tests can
 * act as two callers. In production take it from verified authentication (a JWT verified by your
 * auth middleware, an API Gateway authorizer), never from a header the client sets.
 */
export function requirePrincipal(principal: string | undefined): string {
  if (principal === undefined || !PRINCIPAL.test(principal)) throw new UnauthenticatedError();
  return principal;
}

/** Builds the components, the relay and the consumer on one bounded pool. Nothing runs until started. */
export function createCheckout(config: CheckoutConfig): Checkout {
  const pool = new pg.Pool({ connectionString: config.postgresUrl, max: 10 });
  pool.on('error', (error) => console.error('postgres idle client', error.message));
  const db = new Kysely<RecipeDatabase>({ dialect: new PostgresDialect({ pool }) });
  const sqs = new SQSClient(config.sqs);
  const { outbox, orders, idempotency } = createComponents(config.schema);
  const table = db.withSchema(config.schema);

  const relay = createOutboxRelay({
    db,
    pool,
    outbox,
    publisher: createSqsPublisher({ client: sqs, queues: { [DESTINATION]: config.queueUrl } }),
    listen: config.postgresUrl, // wakes on commit; polling stays on as the fallback
    observer: { error: (error) => console.error('outbox relay', error) },
  });

  const consumer = createSqsConsumer({
    client: sqs,
    queueUrl: config.queueUrl,
    waitTimeSeconds: 2, // short long polls: stop() waits for the open ones
    metrics: false, // the default writes CloudWatch EMF to stdout: keep it in production
    observer: { error: (event) => console.error('checkout worker', event.stage, event.error) },
    commands: [
      handleCommand(authorizePayment, async (envelope) => {
        // Call the payment provider here with envelope.idempotencyKey; this stub authorizes everything.
        try {
          await db.transaction().execute((trx) =>
            orders.apply(trx, {
              id: envelope.orderId,
              event: 'payment.authorized',
              eventId: envelope.idempotencyKey, // a redelivery is recorded once
              actor: 'payment-worker',
            }),
          );
        } catch (error) {
          if (!(error instanceof InvalidTransitionError)) throw error; // retried with backoff
          // The order moved on (support held it): acknowledge the late command.
        }
      }),
    ],
  });

  return {
    async placeOrder(request) {
      const principal = requirePrincipal(request.principal);
      if (request.idempotencyKey === undefined) throw new InvalidRequestError('Idempotency-Key', 'header is required');
      const parsed = CheckoutBody.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.path.filter((segment): segment is string | number => typeof segment !== 'symbol') ?? [];
        throw new InvalidRequestError(fieldPath('body', ...path), issue?.message ?? 'invalid');
      }
      const body = parsed.data;
      const { value, replayed } = await idempotentTransaction(
        db,
        {
          store: idempotency,
          scope: `${principal}:checkout`, // keys are per caller
          key: request.idempotencyKey, // checked by the store: 400 when empty or malformed
          fingerprint: body, // same key, other body: 422
          ttlSeconds: 24 * 3600,
        },
        async (trx): Promise<OrderView> => {
          // The order, its state (+ audit row), the outbox command and the key's record: one commit.
          const orderId = randomUUID();
          await trx
            .withSchema(config.schema)
            .insertInto('orders')
            .values({
              id: orderId,
              principal,
              cart_id: body.cartId,
              amount_minor: body.amountMinor,
              currency: body.currency,
              state: null,
              version: null,
            })
            .execute();
          await orders.create(trx, { id: orderId, eventId: `checkout:${orderId}`, actor: `api:${principal}` });
          const command = await encode(
            authorizePayment,
            { amountMinor: body.amountMinor, currency: body.currency },
            { orderId, idempotencyKey: `${orderId}:authorize` },
          );
          await outbox.enqueue(trx, {
            destination: DESTINATION,
            groupKey: orderId,
            body: command,
            attributes: { type: command.type },
          });
          return { orderId, state: 'PENDING_PAYMENT', amountMinor: body.amountMinor, currency: body.currency };
        },
      );
      return { order: value, replayed };
    },

    async getOrder(principalHeader, orderId) {
      const principal = requirePrincipal(principalHeader);
      if (!ORDER_ID.test(orderId)) throw new OrderNotFoundError();
      const row = await table
        .selectFrom('orders')
        .select(['id', 'state', 'amount_minor', 'currency'])
        .where('id', '=', orderId)
        .where('principal', '=', principal) // another caller's order: not found
        .executeTakeFirst();
      if (row === undefined || row.state === null) throw new OrderNotFoundError();
      return { orderId: row.id, state: row.state, amountMinor: row.amount_minor, currency: row.currency };
    },

    relay,
    consumer,

    async close() {
      sqs.destroy();
      await db.destroy();
      // Kysely ends the pool only if it ever ran a query; the relay uses it directly too.
      if (!pool.ending) await pool.end();
    },
  };
}
