import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createKyselyIdempotencyStore } from '@checkout/idempotency/kysely';
import { createCartSnapshotStore, createInventory } from '@checkout/inventory';
import { createOutbox } from '@checkout/outbox';
import { createOrderStore, TABLES } from '../../db/migrations.js';
import { DEMO_CATALOG } from '../../domain/demo-catalog.js';
import { boundedDynamoDbConfig } from '../../service/bounded-clients.js';
import type { CheckoutDeps, EmailGateway, PaymentGateway } from '../../service/checkout-deps.js';
import { EmailProviderClient, PaymentProviderClient } from '../../simulators/simulator-server.js';
import { createLambdaDatabase, type LambdaDatabase } from './lambda-database.js';
import type { LambdaEnvironment } from './lambda-environment.js';

/** The Postgres schema of every checkout table (the migrations create it). */
export const CHECKOUT_SCHEMA = 'checkout';

/** What one function uses besides Postgres; each part needs its own variables (and IAM grants). */
export interface LambdaDepsNeeds {
  /** The inventory table (`CHECKOUT_TABLE_INVENTORY`): stock, reservations, cart snapshots. */
  readonly inventory?: boolean;
  /** The payment provider (`PAYMENT_PROVIDER_URL`, API key in the secret `PAYMENT_PROVIDER_SECRET_ARN`). */
  readonly payment?: boolean;
  /** The email provider (`EMAIL_PROVIDER_URL`). */
  readonly email?: boolean;
}

/** The deps of a function, and the container's database connection behind them. */
export interface LambdaDeps {
  readonly deps: CheckoutDeps;
  readonly database: LambdaDatabase;
}

/**
 * A part this function was not deployed with: any use throws, naming the handler and what it lacks
 * (a route calling it is a wiring bug the template-driven test catches, never a silent no-op).
 */
function notDeployed<T extends object>(handler: string, part: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined;
      throw new Error(`${handler}: uses ${part}.${String(property)}, but this function is not deployed with ${part}`);
    },
  });
}

/** The API key of the payment provider: the secret's string (or its JSON `apiKey` field). */
async function paymentApiKey(secretArn: string): Promise<string> {
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (SecretString === undefined) throw new Error(`secret ${secretArn} has no SecretString`);
    try {
      const parsed: unknown = JSON.parse(SecretString);
      const key = typeof parsed === 'object' && parsed !== null ? (parsed as { apiKey?: unknown }).apiKey : undefined;
      return typeof key === 'string' ? key : SecretString;
    } catch {
      return SecretString;
    }
  } finally {
    client.destroy();
  }
}

/**
 * Builds the deps of one function once per container (call it at module top level), from the
 * variables its constructs set and only those: Postgres through `createLambdaDatabase`, and the
 * parts in `needs`; every other part throws when used.
 */
export async function createLambdaDeps(env: LambdaEnvironment, needs: LambdaDepsNeeds = {}): Promise<LambdaDeps> {
  // Every variable first: a cold start without one fails naming it, before any connection or call.
  const inventoryTable = needs.inventory === true ? env.require('CHECKOUT_TABLE_INVENTORY') : undefined;
  const paymentUrl = needs.payment === true ? env.require('PAYMENT_PROVIDER_URL') : undefined;
  const paymentSecret = needs.payment === true ? env.require('PAYMENT_PROVIDER_SECRET_ARN') : undefined;
  const emailUrl = needs.email === true ? env.require('EMAIL_PROVIDER_URL') : undefined;
  const database = await createLambdaDatabase(env);
  const { db } = database;
  const schema = CHECKOUT_SCHEMA;
  const dynamodb = inventoryTable === undefined ? undefined : new DynamoDBClient(boundedDynamoDbConfig());
  const payment: PaymentGateway =
    paymentUrl === undefined || paymentSecret === undefined
      ? notDeployed(env.handler, 'payment')
      : new PaymentProviderClient(paymentUrl, { timeoutMs: 5_000, apiKey: await paymentApiKey(paymentSecret) });
  const email: EmailGateway =
    emailUrl === undefined ? notDeployed(env.handler, 'email') : new EmailProviderClient(emailUrl);
  const deps: CheckoutDeps = {
    db,
    schema,
    outbox: createOutbox({ schema, table: TABLES.outbox }),
    orders: createOrderStore(schema),
    idempotency: createKyselyIdempotencyStore({ db, schema, table: TABLES.idempotency }),
    inventory:
      dynamodb === undefined || inventoryTable === undefined
        ? notDeployed(env.handler, 'inventory')
        : createInventory({ client: dynamodb, tableName: inventoryTable }),
    carts:
      dynamodb === undefined || inventoryTable === undefined
        ? notDeployed(env.handler, 'carts')
        : createCartSnapshotStore({ client: dynamodb, tableName: inventoryTable }),
    catalog: DEMO_CATALOG,
    payment,
    email,
  };
  return { deps, database };
}
