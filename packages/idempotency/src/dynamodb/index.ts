export type { IdempotencyLocalCacheOptions } from './completed-cache.js';
export {
  createDynamoDbIdempotencyStore,
  DYNAMODB_MAX_ITEM_BYTES,
  type DynamoDbIdempotencyStoreOptions,
} from './dynamodb-store.js';
export { createIdempotencyTable, idempotencyTableDefinition } from './table-definition.js';
