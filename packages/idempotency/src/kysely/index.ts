export { type IdempotentTransactionOptions, idempotentTransaction } from './idempotent-transaction.js';
export {
  createKyselyIdempotencyStore,
  type DeleteExpiredOptions,
  type KyselyIdempotencyStore,
  type KyselyIdempotencyStoreOptions,
} from './kysely-store.js';
export { DEFAULT_IDEMPOTENCY_TABLE } from './table-name.js';
