export {
  DYNAMODB_MAX_ITEM_BYTES,
  DynamoDbIdempotencyStore,
  type DynamoDbIdempotencyStoreOptions,
} from './dynamodb-store.js';
export {
  createIdempotencyTable,
  type DynamoKeyType,
  type DynamoTableDefinition,
  idempotencyCreateTableInput,
  idempotencyTableDefinition,
} from './table-definition.js';
