import { InvalidTableDefinitionError } from '../errors.js';

/** A DynamoDB key attribute: name and scalar type. */
export interface DynamoKeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/**
 * The cross-package table contract: `@checkout/idempotency` and `@checkout/inventory` export a plain object
 * of this shape (`idempotencyTableDefinition`, `inventoryTableDefinition`), so the construct deploys
 * exactly the keys and TTL attribute the runtime code reads and writes.
 */
export interface DynamoTableDefinition {
  readonly partitionKey: DynamoKeyAttribute;
  readonly sortKey?: DynamoKeyAttribute;
  /** Attribute holding epoch seconds for DynamoDB TTL. */
  readonly timeToLiveAttribute: string;
  readonly globalSecondaryIndexes?: ReadonlyArray<{
    readonly indexName: string;
    readonly partitionKey: DynamoKeyAttribute;
    readonly sortKey?: DynamoKeyAttribute;
  }>;
}

/** The idempotency table per the contract: partition key `pk` (S), no sort key, TTL on `expiresAt`. */
export const defaultIdempotencyTableDefinition: DynamoTableDefinition = Object.freeze({
  partitionKey: Object.freeze({ name: 'pk', type: 'S' as const }),
  timeToLiveAttribute: 'expiresAt',
});

/** The inventory table per the contract: `pk` (S) + `sk` (S), TTL on `expiresAt`, no GSI. */
export const defaultInventoryTableDefinition: DynamoTableDefinition = Object.freeze({
  partitionKey: Object.freeze({ name: 'pk', type: 'S' as const }),
  sortKey: Object.freeze({ name: 'sk', type: 'S' as const }),
  timeToLiveAttribute: 'expiresAt',
});

// DynamoDB attribute names: 1..255 bytes; we keep to printable names so a typo or an empty string is caught.
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.\-#:]{1,255}$/;
const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const KEY_TYPES = new Set(['S', 'N', 'B']);

function checkKey(path: string, field: string, key: DynamoKeyAttribute | undefined, required: boolean): void {
  if (key === undefined) {
    if (required) throw new InvalidTableDefinitionError(path, field, 'is required');
    return;
  }
  if (typeof key.name !== 'string' || !ATTRIBUTE_NAME.test(key.name)) {
    throw new InvalidTableDefinitionError(
      path,
      `${field}.name`,
      `must match ${ATTRIBUTE_NAME}, got ${String(key.name)}`,
    );
  }
  if (!KEY_TYPES.has(key.type)) {
    throw new InvalidTableDefinitionError(path, `${field}.type`, `must be 'S', 'N' or 'B', got ${String(key.type)}`);
  }
}

/**
 * Rejects a definition DynamoDB would refuse at deploy time (or that would silently break TTL): bad or
 * missing key names, a TTL attribute that is also a key (keys cannot be removed, TTL needs a number),
 * the same attribute declared with two types, duplicate index names.
 */
export function validateTableDefinition(path: string, definition: DynamoTableDefinition): void {
  checkKey(path, 'partitionKey', definition.partitionKey, true);
  checkKey(path, 'sortKey', definition.sortKey, false);
  const ttl = definition.timeToLiveAttribute;
  if (typeof ttl !== 'string' || !ATTRIBUTE_NAME.test(ttl)) {
    throw new InvalidTableDefinitionError(
      path,
      'timeToLiveAttribute',
      `must match ${ATTRIBUTE_NAME}, got ${String(ttl)}`,
    );
  }
  const types = new Map<string, string>();
  const declare = (field: string, key: DynamoKeyAttribute | undefined): void => {
    if (key === undefined) return;
    const seen = types.get(key.name);
    if (seen !== undefined && seen !== key.type) {
      throw new InvalidTableDefinitionError(
        path,
        field,
        `attribute ${key.name} is declared as ${seen} and ${key.type}`,
      );
    }
    types.set(key.name, key.type);
  };
  declare('partitionKey', definition.partitionKey);
  declare('sortKey', definition.sortKey);
  if (definition.sortKey?.name === definition.partitionKey.name) {
    throw new InvalidTableDefinitionError(path, 'sortKey.name', 'must differ from the partition key');
  }
  const indexNames = new Set<string>();
  (definition.globalSecondaryIndexes ?? []).forEach((index, i) => {
    const field = `globalSecondaryIndexes[${i}]`;
    if (typeof index.indexName !== 'string' || !INDEX_NAME.test(index.indexName)) {
      throw new InvalidTableDefinitionError(path, `${field}.indexName`, `must match ${INDEX_NAME}`);
    }
    if (indexNames.has(index.indexName)) {
      throw new InvalidTableDefinitionError(path, `${field}.indexName`, `duplicate index ${index.indexName}`);
    }
    indexNames.add(index.indexName);
    checkKey(path, `${field}.partitionKey`, index.partitionKey, true);
    checkKey(path, `${field}.sortKey`, index.sortKey, false);
    declare(`${field}.partitionKey`, index.partitionKey);
    declare(`${field}.sortKey`, index.sortKey);
  });
  if (types.has(ttl)) {
    throw new InvalidTableDefinitionError(
      path,
      'timeToLiveAttribute',
      `${ttl} is a key attribute; TTL needs its own attribute`,
    );
  }
}
