// Test support (not published): a fresh Postgres schema with a migrated @checkout/outbox, an orders
// table written in the same transactions, and an SQS client, for the outbox bridge's integration tests.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createOutbox, type Outbox } from '@checkout/outbox';
import { createTestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { type Generated, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

export interface BridgeDatabase {
  orders: { id: Generated<number>; note: string };
  checkout_outbox: {
    id: Generated<string>;
    destination: string;
    group_key: string | null;
    body: unknown;
    attributes: unknown;
    delay_seconds: number | null;
    status: Generated<string>;
  };
}

export interface OutboxStack {
  readonly stack: ReturnType<typeof useCheckoutStack>;
  /** Kysely bound to the test schema. */
  readonly db: Kysely<BridgeDatabase>;
  /** The same pool, unbound (for the relay). */
  readonly root: Kysely<BridgeDatabase>;
  readonly outbox: Outbox;
  readonly sqs: SQSClient;
  close(): Promise<void>;
}

/** Await in `beforeAll`; `close()` in `afterAll`. */
export async function createOutboxStack(): Promise<OutboxStack> {
  const stack = useCheckoutStack();
  const schema = await createTestSchema(stack.postgres, 'wob');
  const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 4 });
  pool.on('error', () => {});
  const root = new Kysely<BridgeDatabase>({ dialect: new PostgresDialect({ pool }) });
  const outbox = createOutbox({ schema: schema.name });
  await outbox.migration().up(root);
  await root.schema
    .withSchema(schema.name)
    .createTable('orders')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('note', 'text')
    .execute();
  const sqs = new SQSClient(stack.sqs.clientConfig);
  return {
    stack,
    db: root.withSchema(schema.name),
    root,
    outbox,
    sqs,
    close: async () => {
      sqs.destroy();
      await root.destroy();
      await schema.drop();
    },
  };
}
