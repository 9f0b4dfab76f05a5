import { type RawBuilder, sql } from 'kysely';
import { InvalidInputError } from '../errors.js';

/** Where the store keeps its data. Every name is validated and quoted; none is ever spliced into SQL as text. */
export interface StateStoreTables {
  /** Postgres schema holding both tables. Default `public`. */
  readonly schema?: string;
  /**
   * Table with one row per aggregate and the state columns (`state`, `version`, `machine_version`,
   * `state_created_at`, `state_updated_at`): usually your own table, e.g. `orders`.
   */
  readonly aggregateTable: string;
  /** Primary-key column of `aggregateTable`. Default `id`. */
  readonly idColumn?: string;
  /** The audit timeline table, shareable by several machines (rows carry `machine_id`). Default `audit_events`. */
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

// Lower case only: a quoted mixed-case name would force every hand-written query to quote it too.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks that `value` is a plain lower-case Postgres identifier; throws `InvalidInputError` naming `field`. */
export function assertIdentifier(field: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new InvalidInputError(
      field,
      `must be a lower-case SQL identifier matching ${IDENTIFIER}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Validates every configured name and turns it into a quoted identifier. */
export function resolveTables(tables: StateStoreTables): ResolvedTables {
  const schema = assertIdentifier('schema', tables.schema ?? 'public');
  const aggregate = assertIdentifier('aggregateTable', tables.aggregateTable);
  const audit = assertIdentifier('auditTable', tables.auditTable ?? 'audit_events');
  const idColumn = assertIdentifier('idColumn', tables.idColumn ?? 'id');
  if (audit === aggregate) throw new InvalidInputError('auditTable', 'must differ from aggregateTable');
  return {
    schema: sql.id(schema),
    aggregate: sql.id(schema, aggregate),
    audit: sql.id(schema, audit),
    idColumn: sql.id(idColumn),
    names: { schema, aggregateTable: aggregate, idColumn, auditTable: audit },
  };
}
