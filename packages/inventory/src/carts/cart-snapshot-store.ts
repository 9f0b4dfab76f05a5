import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CartTooLargeError, CorruptRecordError, InvalidInputError } from '../errors.js';
import { cartKey } from '../table/keys.js';
import { checkedClock, validateId, validatePositiveInteger, validateTableName } from '../validation/validate-input.js';

/** Options of {@link CartSnapshotStore}. */
export interface CartSnapshotStoreOptions {
  readonly client: DynamoDBClient;
  /** The inventory table (see `createInventoryTableInput`). */
  readonly tableName: string;
  /** Clock, for tests. Default `() => new Date()`. */
  readonly now?: () => Date;
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
 * pressed "pay", kept just long enough for the workers and support to read it.
 */
export class CartSnapshotStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #now: () => Date;

  constructor(options: CartSnapshotStoreOptions) {
    validateTableName(options.tableName);
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = checkedClock(options.now);
  }

  /**
   * Saves (or replaces) the cart of one checkout attempt as JSON, expiring after `ttlSeconds`.
   * Throws {@link InvalidInputError} for a cart JSON cannot represent and {@link CartTooLargeError}
   * above {@link MAX_CART_BYTES}; nothing is written then.
   */
  async saveCartSnapshot(
    customerId: string,
    attemptId: string,
    cart: unknown,
    options: { readonly ttlSeconds: number },
  ): Promise<CartSnapshot<unknown>> {
    validateId('customerId', customerId);
    validateId('attemptId', attemptId);
    const ttlSeconds = validatePositiveInteger('options.ttlSeconds', options?.ttlSeconds, MAX_TTL_SECONDS);
    const json = serialize(cart);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > MAX_CART_BYTES) throw new CartTooLargeError(bytes, MAX_CART_BYTES);
    const savedAt = this.#now();
    // TTL works in whole seconds; round up so the snapshot never expires before `ttlSeconds`.
    const expiresAtSeconds = Math.ceil(savedAt.getTime() / 1000) + ttlSeconds;
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: {
          ...cartKey(customerId, attemptId),
          kind: { S: 'cart' },
          customerId: { S: customerId },
          attemptId: { S: attemptId },
          cart: { S: json },
          savedAt: { N: String(savedAt.getTime()) },
          expiresAt: { N: String(expiresAtSeconds) },
        },
      }),
    );
    return { customerId, attemptId, cart: JSON.parse(json), savedAt, expiresAt: new Date(expiresAtSeconds * 1000) };
  }

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
    options: { readonly parse: (value: unknown) => T; readonly consistentRead?: boolean },
  ): Promise<CartSnapshot<T> | undefined>;
  async getCartSnapshot<T>(
    customerId: string,
    attemptId: string,
    options: { readonly parse?: (value: unknown) => T; readonly consistentRead?: boolean } = {},
  ): Promise<CartSnapshot<T | unknown> | undefined> {
    validateId('customerId', customerId);
    validateId('attemptId', attemptId);
    const read = await this.#client.send(
      new GetItemCommand({
        TableName: this.#tableName,
        Key: cartKey(customerId, attemptId),
        ConsistentRead: options.consistentRead ?? true,
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
    if (expiresAtSeconds * 1000 <= this.#now().getTime()) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new CorruptRecordError('cart', 'is not valid JSON');
    }
    const cart = options.parse === undefined ? value : options.parse(value);
    return { customerId, attemptId, cart, savedAt: new Date(savedAtMs), expiresAt: new Date(expiresAtSeconds * 1000) };
  }
}

function serialize(cart: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(cart);
  } catch (error) {
    throw new InvalidInputError('cart', `cannot be serialized as JSON (${(error as Error).message})`);
  }
  if (json === undefined) throw new InvalidInputError('cart', 'must be a JSON value (got undefined or a function)');
  return json;
}
