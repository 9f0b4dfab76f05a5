import { type DynamoKeyAttribute, type DynamoTableDefinition, type FieldPathSegment, fieldPath } from '@checkout/core';
import { CheckoutCdkConfigError } from '../errors.js';

// DynamoDB attribute names: 1..255 bytes; we keep to printable names so a typo or an empty string is caught.
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.\-#:]{1,255}$/;
const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const KEY_TYPES = new Set(['S', 'N', 'B']);

/**
 * Rejects a definition DynamoDB would refuse at deploy time (or that would silently break TTL): bad or
 * missing key names, a TTL attribute that is also a key (keys cannot be removed, TTL needs a number),
 * the same attribute declared with two types, duplicate index names. Throws {@link CheckoutCdkConfigError}
 * (`CDK_INVALID_CONFIG`) whose `field` is the path of the bad value under `prop`
 * (`definition.globalSecondaryIndexes[1].indexName`). `CheckoutTable` calls it before creating anything.
 *
 * @param constructPath Construct path reported by the error (`Stack/Orders`).
 * @param definition The definition, e.g. `inventoryTableDefinition` from `@checkout/inventory`.
 * @param prop Name of the prop holding the definition. Default `definition`.
 *
 * @example
 * ```ts
 * import { validateTableDefinition } from '@checkout/cdk';
 *
 * // Throws CDK_INVALID_CONFIG, field `definition.timeToLiveAttribute`: TTL needs its own attribute.
 * validateTableDefinition('Stack/Orders', { partitionKey: { name: 'pk', type: 'S' }, timeToLiveAttribute: 'pk' });
 * ```
 */
export function validateTableDefinition(
  constructPath: string,
  definition: DynamoTableDefinition,
  prop = 'definition',
): void {
  const fail = (segments: readonly FieldPathSegment[], message: string): never => {
    throw new CheckoutCdkConfigError(constructPath, fieldPath(prop, ...segments), message);
  };
  const checkKey = (segments: readonly FieldPathSegment[], key: DynamoKeyAttribute | undefined, required: boolean) => {
    if (key === undefined) {
      if (required) fail(segments, 'is required');
      return;
    }
    if (typeof key.name !== 'string' || !ATTRIBUTE_NAME.test(key.name)) {
      fail([...segments, 'name'], `must match ${ATTRIBUTE_NAME}, got ${String(key.name)}`);
    }
    if (!KEY_TYPES.has(key.type)) fail([...segments, 'type'], `must be 'S', 'N' or 'B', got ${String(key.type)}`);
  };
  if (typeof definition !== 'object' || definition === null) fail([], 'must be a DynamoTableDefinition object');
  checkKey(['partitionKey'], definition.partitionKey, true);
  checkKey(['sortKey'], definition.sortKey, false);
  const ttl = definition.timeToLiveAttribute;
  if (typeof ttl !== 'string' || !ATTRIBUTE_NAME.test(ttl)) {
    fail(['timeToLiveAttribute'], `must match ${ATTRIBUTE_NAME}, got ${String(ttl)}`);
  }
  const types = new Map<string, string>();
  const declare = (segments: readonly FieldPathSegment[], key: DynamoKeyAttribute | undefined): void => {
    if (key === undefined) return;
    const seen = types.get(key.name);
    if (seen !== undefined && seen !== key.type) {
      fail(segments, `attribute ${key.name} is declared as ${seen} and ${key.type}`);
    }
    types.set(key.name, key.type);
  };
  declare(['partitionKey'], definition.partitionKey);
  declare(['sortKey'], definition.sortKey);
  if (definition.sortKey?.name === definition.partitionKey.name) {
    fail(['sortKey', 'name'], 'must differ from the partition key');
  }
  const indexNames = new Set<string>();
  (definition.globalSecondaryIndexes ?? []).forEach((index, i) => {
    const at = ['globalSecondaryIndexes', i] as const;
    if (typeof index.indexName !== 'string' || !INDEX_NAME.test(index.indexName)) {
      fail([...at, 'indexName'], `must match ${INDEX_NAME}`);
    }
    if (indexNames.has(index.indexName)) fail([...at, 'indexName'], `duplicate index ${index.indexName}`);
    indexNames.add(index.indexName);
    checkKey([...at, 'partitionKey'], index.partitionKey, true);
    checkKey([...at, 'sortKey'], index.sortKey, false);
    declare([...at, 'partitionKey'], index.partitionKey);
    declare([...at, 'sortKey'], index.sortKey);
  });
  if (types.has(ttl)) fail(['timeToLiveAttribute'], `${ttl} is a key attribute; TTL needs its own attribute`);
}
