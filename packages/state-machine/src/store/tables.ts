import { DEFAULT_SCHEMA, identifierProblem } from '@checkout/core';
import { type RawBuilder, sql } from 'kysely';
import { StateMachineConfigError } from '../errors.js';

/** Default name of the audit timeline table. */
export const DEFAULT_AUDIT_TABLE = 'checkout_audit_events';

/** Where the store keeps its data. Every name is validated and quoted; none is ever spliced into SQL as text. */
export interface StateStoreTables {
  /** Postgres schema holding both tables. Default `'public'`. */
  readonly schema?: string;
  /**
   * Table with one row per aggregate and the state columns (`state`, `version`, `machine_version`,
   * `state_created_at`, `state_updated_at`): usually your own table, e.g. `orders`.
   */
  readonly aggregateTable: string;
  /** Primary-key column of `aggregateTable`. Default `id`. */
  readonly idColumn?: string;
  /** The audit timeline table, shareable by several machines (rows carry `machine_id`). Default `checkout_audit_events`. */
  readonly auditTable?: string;
}

/** Validated, quoted references to the store's tables (internal). */
export interface ResolvedTables {
  readonly schema: RawBuilder<unknown>;
  readonly aggregate: RawBuilder<unknown>;
  readonly audit: RawBuilder<unknown>;
  readonly idColumn: RawBuilder<unknown>;
  /** The validated names themselves, defaults filled in. */
  readonly names: {
    readonly schema: string;
    readonly aggregateTable: string;
    readonly idColumn: string;
    readonly auditTable: string;
  };
}

/** Checks `value` with core's identifier rule; throws `StateMachineConfigError` naming `field`. */
function identifier(field: string, value: unknown): string {
  const problem = identifierProblem(value);
  if (problem !== undefined) {
    throw new StateMachineConfigError(field, `${problem} (got ${JSON.stringify(value)?.slice(0, 80)})`);
  }
  return value as string;
}

/** Validates every configured name and turns it into a quoted identifier. */
export function resolveTables(tables: StateStoreTables): ResolvedTables {
  const schema = identifier('schema', tables.schema ?? DEFAULT_SCHEMA);
  const aggregate = identifier('aggregateTable', tables.aggregateTable);
  const audit = identifier('auditTable', tables.auditTable ?? DEFAULT_AUDIT_TABLE);
  const idColumn = identifier('idColumn', tables.idColumn ?? 'id');
  if (audit === aggregate) throw new StateMachineConfigError('auditTable', 'must differ from aggregateTable');
  return {
    schema: sql.id(schema),
    aggregate: sql.id(schema, aggregate),
    audit: sql.id(schema, audit),
    idColumn: sql.id(idColumn),
    names: { schema, aggregateTable: aggregate, idColumn, auditTable: audit },
  };
}
