import { describe, expect, it } from 'vitest';
import { InvalidOutboxConfigError } from '../errors.js';
import { outboxMigrationSql } from './migration.js';
import { resolveOutboxTable } from './outbox-table.js';

describe('outbox table options', () => {
  it('rejects hostile or malformed schema and table names, naming the option', () => {
    const hostile = ['x"; DROP TABLE users; --', 'a b', '', '1abc', 'a'.repeat(49), 'ta-ble', 'sch.ema'];
    for (const name of hostile) {
      expect(() => resolveOutboxTable({ table: name })).toThrow(InvalidOutboxConfigError);
      expect(() => resolveOutboxTable({ schema: name })).toThrow(InvalidOutboxConfigError);
    }
    try {
      resolveOutboxTable({ schema: 'ok', table: 'bad"name' });
    } catch (error) {
      expect(error).toMatchObject({ code: 'OUTBOX_INVALID_CONFIG', field: 'table' });
    }
    expect(() => resolveOutboxTable({ maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => resolveOutboxTable({ notifyChannel: 'no spaces' })).toThrow(/notifyChannel/);
  });

  it('quotes every identifier in the DDL', () => {
    const ddl = outboxMigrationSql({ schema: 'Billing', table: 'Outbox_1' });
    expect(ddl).toContain('CREATE TABLE "Billing"."Outbox_1"');
    expect(ddl).toContain('CREATE INDEX "Outbox_1_pending_idx" ON "Billing"."Outbox_1"');
    expect(ddl).toContain('CREATE OR REPLACE FUNCTION "Billing"."Outbox_1_claim"');
    expect(ddl).toContain('CREATE TABLE "Billing"."Outbox_1_inflight"');
    expect(outboxMigrationSql({ table: 'x' }, 'down')).toBe(
      'DROP FUNCTION IF EXISTS "public"."x_claim"(integer, integer, bigint, text);\n\n' +
        'DROP TABLE IF EXISTS "public"."x_inflight";\n\nDROP TABLE IF EXISTS "public"."x";\n',
    );
  });
});
