import { SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue, createTestSchema } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutbox } from '../outbox.js';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxRelay } from '../relay/relay.js';
import { drain } from '../test-support/outbox-fixture.js';

const stack = useCheckoutStack();
const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 4 });
const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
afterAll(async () => {
  await db.destroy();
});

async function columns(schema: string, table: string) {
  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = ${table}`.execute(
    db,
  );
  return rows.map((r) => r.column_name);
}

describe('migration({ from: 1 })', () => {
  it('upgrades a version-1 table in place: rows written before publish, new rows carry their context; down restores version 1', async () => {
    const schema = await createTestSchema(stack.postgres, 'obup');
    const outbox = createOutbox({ schema: schema.name });
    // A version-1 table: the latest, taken back by the upgrade's down.
    await outbox.migration().up(db);
    await outbox.migration({ from: 1 }).down?.(db);
    expect(await columns(schema.name, 'checkout_outbox')).not.toContain('trace_parent');
    const queue = await createTestQueue(stack.sqs);
    await sql`INSERT INTO ${outbox.table.ref} (destination, group_key, body) VALUES (${'up'}, 'g', '{"old":true}')`.execute(
      db,
    );

    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ '001_outbox_tracing': outbox.migration({ from: 1 }) }) },
      migrationTableSchema: schema.name,
    });
    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => r.status)).toEqual(['Success']);
    expect(await columns(schema.name, 'checkout_outbox')).toEqual(
      expect.arrayContaining(['trace_parent', 'trace_state']),
    );
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await db
      .transaction()
      .execute((trx) => outbox.enqueue(trx, { destination: 'up', groupKey: 'g', body: { old: false }, traceparent }));
    const sqs = new SQSClient(stack.sqs.clientConfig);
    const relay = createOutboxRelay({
      db,
      outbox,
      publisher: createSqsPublisher({ client: sqs, queues: { up: queue.queueUrl } }),
    });
    expect(await drain(relay, 2)).toBe(2);
    sqs.destroy();
    expect(outbox.migrationSql('up', { from: 1 })).toMatch(/ADD COLUMN trace_parent text/);
    expect(() => outbox.migration({ from: 2 as 1 })).toThrow(
      expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'from' }),
    );

    const { error: downError } = await migrator.migrateDown();
    expect(downError).toBeUndefined();
    expect(await columns(schema.name, 'checkout_outbox')).not.toContain('trace_state');
    await schema.drop();
  });
});
