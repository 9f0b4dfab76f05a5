import { describe, expect, it } from 'vitest';
import { OutboxConfigError } from '../errors.js';
import { createOutbox } from '../outbox.js';
import { resolveOutboxTable } from './outbox-table.js';

describe('outbox table options', () => {
  it('rejects hostile or malformed schema and table names, naming the option', () => {
    const hostile = ['x"; DROP TABLE users; --', 'a b', '', '1abc', 'a'.repeat(41), 'ta-ble', 'sch.ema'];
    for (const name of hostile) {
      expect(() => resolveOutboxTable({ table: name })).toThrow(OutboxConfigError);
      expect(() => resolveOutboxTable({ schema: name })).toThrow(OutboxConfigError);
    }
    expect(() => resolveOutboxTable({ schema: 'ok', table: 'bad"name' })).toThrow(
      expect.objectContaining({ code: 'OUTBOX_INVALID_CONFIG', field: 'table', httpStatus: 500 }),
    );
    expect(() => resolveOutboxTable({ schema: 'ok', notifyChannel: 'a'.repeat(41) })).toThrow(
      expect.objectContaining({ field: 'notifyChannel' }),
    );
    expect(() => resolveOutboxTable(null as unknown as object)).toThrow(expect.objectContaining({ field: 'options' }));
    expect(() => resolveOutboxTable({ maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => resolveOutboxTable({ notifyChannel: 'no spaces' })).toThrow(/notifyChannel/);
  });

  it("accepts core's identifier rule: 40 characters, either case, quoted (derived names stay within Postgres' 63)", () => {
    const name = `T${'a'.repeat(39)}`;
    const table = resolveOutboxTable({ schema: name, table: name, notifyChannel: name });
    expect(table).toMatchObject({ schema: name, table: name, notifyChannel: name });
    const ddl = createOutbox({ schema: name, table: name }).migrationSql('up');
    for (const [, identifier] of ddl.matchAll(/"([^"]+)"/g)) expect(identifier?.length).toBeLessThanOrEqual(63);
    expect(ddl).toContain(`"${name}_pending_group_idx"`);
  });

  it('DDL style: schema created only if missing, plain CREATE elsewhere (an existing object fails loudly), down drops only what up created', () => {
    const up = createOutbox({ schema: 'billing' }).migrationSql('up');
    // The schema is created only when pg_namespace lacks it (no CREATE-on-database privilege needed otherwise).
    expect(
      up.startsWith(
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'billing') THEN CREATE SCHEMA "billing"; END IF; END $$;`,
      ),
    ).toBe(true);
    expect(up.match(/IF NOT EXISTS/g)).toHaveLength(1);
    expect(up).not.toMatch(/OR REPLACE/);
    const down = createOutbox({ schema: 'billing' }).migrationSql('down');
    expect(down).not.toMatch(/SCHEMA/);
    expect(down.match(/DROP \w+ IF EXISTS/g)).toHaveLength(3);
    expect(() => createOutbox().migrationSql('sideways' as 'up')).toThrow(
      expect.objectContaining({ code: 'OUTBOX_INVALID_INPUT', field: 'direction' }),
    );
  });

  it('quotes every identifier in the DDL', () => {
    const ddl = createOutbox({ schema: 'Billing', table: 'Outbox_1' }).migrationSql('up');
    expect(ddl).toContain('CREATE TABLE "Billing"."Outbox_1"');
    expect(ddl).toContain('CREATE INDEX "Outbox_1_pending_idx" ON "Billing"."Outbox_1"');
    expect(ddl).toContain('CREATE FUNCTION "Billing"."Outbox_1_claim"');
    expect(ddl).toContain('CREATE TABLE "Billing"."Outbox_1_inflight"');
    expect(createOutbox({ table: 'x' }).migrationSql('down')).toBe(
      'DROP FUNCTION IF EXISTS "public"."x_claim"(integer, integer, bigint, text);\n\n' +
        'DROP TABLE IF EXISTS "public"."x_inflight";\n\nDROP TABLE IF EXISTS "public"."x";\n',
    );
  });
});
