import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type Clock, utf8Bytes } from '@checkout/core';
import { CartTooLargeError, CorruptRecordError, InventoryInputError } from '../errors.js';
import { cartKey } from '../table/keys.js';
import { checkedClock, checkTableOptions, validateId, validatePositiveInteger } from '../validation/validate-input.js';

/** Options of {@link createCartSnapshotStore}. */
export interface CartSnapshotStoreOptions {
  /** The DynamoDB client every call uses. */
  readonly client: DynamoDBClient;
  /** The inventory table (a table of `inventoryTableDefinition`). */
  readonly tableName: string;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: Clock;
}

/** Options of `saveCartSnapshot`. */
export interface SaveCartSnapshotOptions {
  /**
   * How long the snapshot is kept, in whole seconds (DynamoDB TTL; at most 90 days). It reads as
   * absent from then on, and DynamoDB deletes it some time later.
   */
  readonly ttlSeconds: number;
}

/** Options of `getCartSnapshot`. */
export interface GetCartSnapshotOptions<T> {
  /** Validates the stored cart (e.g. a zod schema's `parse`); its errors propagate. */
  readonly parse?: (value: unknown) => T;
  /** Strongly consistent read (default `true`). */
  readonly consistentRead?: boolean;
}

/** A cart as saved for one checkout attempt. */
export interface CartSnapshot<T> {
  readonly customerId: string;
  readonly attemptId: string;
  readonly cart: T;
  readonly savedAt: Date;
  /** After this instant the snapshot reads as absent; DynamoDB TTL deletes it some time later. */
  readonly expiresAt: Date;
}

/** Largest serialized cart accepted: a DynamoDB item holds 400 KB, keys and metadata included. */
export const MAX_CART_BYTES = 350_000;
const MAX_TTL_SECONDS = 90 * 24 * 3600;

/**
 * Cart snapshots keyed by customer and checkout attempt, with a TTL: what the buyer saw when they
 * pressed "pay", kept just long enough for the workers and support to read it. Built by
 * {@link createCartSnapshotStore}; lives in the inventory table.
 */
export interface CartSnapshotStore {
  /**
   * Saves (or replaces) the cart of one checkout attempt as JSON, expiring after `ttlSeconds`.
   * Throws `InventoryInputError` for a cart JSON cannot represent and `CartTooLargeError` above
   * {@link MAX_CART_BYTES}; nothing is written then.
   */
  saveCartSnapshot(
    customerId: string,
    attemptId: string,
    cart: unknown,
    options: SaveCartSnapshotOptions,
  ): Promise<CartSnapshot<unknown>>;

  /**
   * The snapshot of one checkout attempt, or `undefined` when absent or past its TTL (DynamoDB deletes
   * expired items lazily, so expiry is also checked on read). The cart is `unknown` unless you pass
   * `parse` (e.g. a zod schema's `parse`) to validate it; its errors propagate.
   */
  getCartSnapshot(
    customerId: string,
    attemptId: string,
    options?: { readonly consistentRead?: boolean },
  ): Promise<CartSnapshot<unknown> | undefined>;
  /** As above, with the stored cart validated by `parse`. */
  getCartSnapshot<T>(
    customerId: string,
    attemptId: string,
    options: GetCartSnapshotOptions<T> & { readonly parse: (value: unknown) => T },
  ): Promise<CartSnapshot<T> | undefined>;
}

/**
 * Creates a {@link CartSnapshotStore} on the inventory table. Options are checked here
 * (`InventoryConfigError` naming the option); no request is sent.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createCartSnapshotStore } from '@checkout/inventory';
 *
 * const carts = createCartSnapshotStore({ client: new DynamoDBClient({}), tableName: 'checkout-inventory' });
 * await carts.saveCartSnapshot('customer-7', 'attempt-01', { lines: [] }, { ttlSeconds: 3600 });
 * ```
 */
export function createCartSnapshotStore(options: CartSnapshotStoreOptions): CartSnapshotStore {
  checkTableOptions(options);
  const client = options.client;
  const tableName = options.tableName;
  const now = checkedClock(options.now);

  async function saveCartSnapshot(
    customerId: string,
    attemptId: string,
    cart: unknown,
    saveOptions: SaveCartSnapshotOptions,
  ): Promise<CartSnapshot<unknown>> {
    validateId('customerId', customerId);
    validateId('attemptId', attemptId);
    const ttlSeconds = validatePositiveInteger('options.ttlSeconds', saveOptions?.ttlSeconds, MAX_TTL_SECONDS);
    const json = serialize(cart);
    const bytes = utf8Bytes(json);
    if (bytes > MAX_CART_BYTES) throw new CartTooLargeError(bytes, MAX_CART_BYTES);
    const savedAt = now();
    // TTL works in whole seconds; round up so the snapshot never expires before `ttlSeconds`.
    const expiresAtSeconds = Math.ceil(savedAt / 1000) + ttlSeconds;
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...cartKey(customerId, attemptId),
          kind: { S: 'cart' },
          customerId: { S: customerId },
          attemptId: { S: attemptId },
          cart: { S: json },
          savedAt: { N: String(savedAt) },
          expiresAt: { N: String(expiresAtSeconds) },
        },
      }),
    );
    return {
      customerId,
      attemptId,
      cart: JSON.parse(json),
      savedAt: new Date(savedAt),
      expiresAt: new Date(expiresAtSeconds * 1000),
    };
  }

  async function getCartSnapshot<T>(
    customerId: string,
    attemptId: string,
    readOptions: GetCartSnapshotOptions<T> = {},
  ): Promise<CartSnapshot<T | unknown> | undefined> {
    validateId('customerId', customerId);
    validateId('attemptId', attemptId);
    const read = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: cartKey(customerId, attemptId),
        ConsistentRead: readOptions.consistentRead ?? true,
      }),
    );
    const item = read.Item;
    if (item === undefined) return undefined;
    const expiresAtSeconds = Number(item.expiresAt?.N);
    const savedAtMs = Number(item.savedAt?.N);
    const json = item.cart?.S;
    if (!Number.isSafeInteger(expiresAtSeconds))
      throw new CorruptRecordError('expiresAt', 'is missing or not an integer');
    if (!Number.isSafeInteger(savedAtMs)) throw new CorruptRecordError('savedAt', 'is missing or not an integer');
    if (json === undefined) throw new CorruptRecordError('cart', 'is missing or not a string');
    if (expiresAtSeconds * 1000 <= now()) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new CorruptRecordError('cart', 'is not valid JSON');
    }
    const parsed = readOptions.parse === undefined ? value : readOptions.parse(value);
    return {
      customerId,
      attemptId,
      cart: parsed,
      savedAt: new Date(savedAtMs),
      expiresAt: new Date(expiresAtSeconds * 1000),
    };
  }

  return { saveCartSnapshot, getCartSnapshot } as CartSnapshotStore;
}

function serialize(cart: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(cart);
  } catch (error) {
    throw new InventoryInputError('cart', `cannot be serialized as JSON (${(error as Error).message})`);
  }
  if (json === undefined) throw new InventoryInputError('cart', 'must be a JSON value (got undefined or a function)');
  return json;
}
