export { type IdempotentTransactionOptions, idempotentTransaction } from './idempotent-transaction.js';
export { KyselyIdempotencyStore, type KyselyIdempotencyStoreOptions } from './kysely-store.js';
export { type IdempotencyMigration, idempotencyMigration } from './migration.js';
export {
  DEFAULT_IDEMPOTENCY_TABLE,
  type IdempotencyTableName,
  type IdempotencyTableOptions,
} from './table-name.js';
