import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { tableNameProblem } from '@checkout/core';
import {
  IdempotencyConfigError,
  IdempotencyLeaseLostError,
  IdempotencyRecordError,
  IdempotencyResultTooLargeError,
} from '../errors.js';
import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  IdempotencyRecord,
  IdempotencyStore,
  ReleaseRequest,
} from '../store/idempotency-store.js';
import {
  checkAcquireRequest,
  checkCompleteRequest,
  checkReleaseRequest,
  otherFingerprintError,
} from '../store/store-request.js';
import { type CompletedRecordCache, completedCacheFor, type IdempotencyLocalCacheOptions } from './completed-cache.js';
import { ATTR, completedItemBytes, decodeRecord } from './record-codec.js';

/** DynamoDB's item size limit (400 KB). */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/** Options of {@link createDynamoDbIdempotencyStore}. */
export interface DynamoDbIdempotencyStoreOptions {
  /** A DynamoDB client (share one per process; the store adds no middleware). */
  readonly client: DynamoDBClient;
  /** A table created from `idempotencyTableDefinition`. */
  readonly tableName: string;
  /** Largest item written, in bytes. Default 400 KB (DynamoDB's limit). */
  readonly maxItemBytes?: number;
  /**
   * Opt-in: keep completed records in this process (`true` for the defaults, or bounds) and answer
   * their replays without a DynamoDB call, like Powertools' `useLocalCache`. Exact while the record
   * lives: its expiry is checked against the caller's `now`, a different fingerprint is still a
   * 422, in-progress records are never cached. The one difference: a record deleted from the table
   * by hand keeps replaying from this process until its expiry. Default off.
   */
  readonly localCache?: boolean | IdempotencyLocalCacheOptions;
}

// Constant parts of every request, built once (the SDK only reads its input). Only `status` and
// `result` are DynamoDB reserved words; the other attribute names appear in expressions as they are,
// which keeps each request smaller to serialize and to parse.
const IN_PROGRESS = { S: 'in_progress' } as const;
const COMPLETED = { S: 'completed' } as const;
const OUTCOME_VALUE = { S: 'value' } as const;
const OUTCOME_ERROR = { S: 'error' } as const;
const STATUS_NAME = { '#status': ATTR.status } as const;
const STATUS_AND_RESULT_NAMES = { '#status': ATTR.status, '#result': ATTR.result } as const;
// The first try of an acquire only asks for a new key: the common cases (a first execution, a
// replay of a live record) then cost DynamoDB no expression names or values and the cheapest
// condition to evaluate. Only when the record it returns could be taken over (TTL passed, or an
// expired lease with the same fingerprint) does a second PutItem carry the full condition, which
// decides atomically as before.
const NEW_KEY_CONDITION = `attribute_not_exists(${ATTR.key})`;
const TAKEOVER_CONDITION = `attribute_not_exists(${ATTR.key}) OR ${ATTR.expiresAtMs} <= :now OR (#status = :inProgress AND ${ATTR.leaseExpiresAt} <= :now AND ${ATTR.fingerprint} = :fingerprint)`;
const COMPLETE_UPDATE = `SET #status = :completed, ${ATTR.outcome} = :outcome, #result = :result, ${ATTR.expiresAtMs} = :expiresAtMs, ${ATTR.ttl} = :ttl`;
const LEASE_CONDITION = `${ATTR.leaseToken} = :token AND #status = :inProgress`;
const COMPLETE_PUT_CONDITION = `${LEASE_CONDITION} AND ${ATTR.fingerprint} = :fingerprint`;

/**
 * Idempotency records in DynamoDB (a table of `idempotencyTableDefinition`). First call: one
 * `PutItem` conditioned on a new key that returns the blocking item on conflict
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, no extra read); a second one, with the full
 * takeover condition, only when that item could be taken over. Completion: one `PutItem` of the
 * completed record conditioned on the lease token (an `UpdateItem` when the request does not carry
 * the attempt's fingerprint). Release: one `DeleteItem` conditioned on it. `localCache` (opt-in)
 * answers replays of completed records from this process. Options are checked here
 * (`IdempotencyConfigError` naming the option).
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { withIdempotency } from '@checkout/idempotency';
 * import { createDynamoDbIdempotencyStore } from '@checkout/idempotency/dynamodb';
 *
 * const store = createDynamoDbIdempotencyStore({ client: new DynamoDBClient({}), tableName: 'checkout-idempotency' });
 * export const charge = withIdempotency(async (orderId: string) => ({ chargeId: `ch-${orderId}` }), {
 *   store,
 *   scope: 'payments',
 *   key: (orderId) => orderId,
 * });
 * ```
 */
export function createDynamoDbIdempotencyStore(options: DynamoDbIdempotencyStoreOptions): IdempotencyStore {
  if (typeof options !== 'object' || options === null) {
    throw new IdempotencyConfigError(['options'], 'must be an object');
  }
  if (typeof options.client?.send !== 'function') {
    throw new IdempotencyConfigError(['client'], 'must be a DynamoDBClient');
  }
  const problem = tableNameProblem(options.tableName);
  if (problem !== undefined) throw new IdempotencyConfigError(['tableName'], problem);
  const maxItemBytes = options.maxItemBytes ?? DYNAMODB_MAX_ITEM_BYTES;
  if (!Number.isSafeInteger(maxItemBytes) || maxItemBytes <= 0) {
    throw new IdempotencyConfigError(['maxItemBytes'], 'must be a positive integer');
  }
  const cache = completedCacheFor(options.localCache);
  return new DynamoDbStore(options.client, options.tableName, maxItemBytes, cache);
}

class DynamoDbStore implements IdempotencyStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #maxItemBytes: number;
  readonly #cache: CompletedRecordCache | undefined;

  constructor(client: DynamoDBClient, tableName: string, maxItemBytes: number, cache?: CompletedRecordCache) {
    this.#client = client;
    this.#tableName = tableName;
    this.#maxItemBytes = maxItemBytes;
    this.#cache = cache;
  }

  /** {@inheritDoc IdempotencyStore.acquire} */
  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    checkAcquireRequest(request);
    const cached = this.#cache?.get(request);
    if (cached !== undefined) return { acquired: false, existing: cached };
    const item = acquireItem(request);
    const first = await this.#put(item, request, false);
    if (first === undefined || isOwnLease(first, request) || !canTakeOver(first, request)) {
      return this.#settled(first, request);
    }
    // New key, or the TTL passed (DynamoDB deletes expired items late), or an expired lease of an
    // attempt with the same payload: decided by DynamoDB, so of concurrent takers one wins.
    return this.#settled(await this.#put(item, request, true), request);
  }

  #settled(existing: IdempotencyRecord | undefined, request: AcquireRequest): AcquireResult {
    const result = settled(existing, request);
    if (this.#cache !== undefined) {
      if (result.acquired) this.#cache.held(request);
      else this.#cache.put(result.existing);
    }
    return result;
  }

  /** One conditional PutItem of `item`: undefined when it was written, else the record that blocked it. */
  async #put(
    item: Record<string, AttributeValue>,
    request: AcquireRequest,
    takeover: boolean,
  ): Promise<IdempotencyRecord | undefined> {
    try {
      await this.#client.send(
        new PutItemCommand(
          takeover
            ? {
                TableName: this.#tableName,
                Item: item,
                ConditionExpression: TAKEOVER_CONDITION,
                ExpressionAttributeNames: STATUS_NAME,
                ExpressionAttributeValues: {
                  ':now': { N: String(request.now) },
                  ':inProgress': IN_PROGRESS,
                  ':fingerprint': item[ATTR.fingerprint] as AttributeValue,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }
            : {
                TableName: this.#tableName,
                Item: item,
                ConditionExpression: NEW_KEY_CONDITION,
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
        ),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined) throw new IdempotencyRecordError('Item', 'was not returned on a failed condition');
      return decodeRecord(error.Item);
    }
  }

  /** {@inheritDoc IdempotencyStore.complete} */
  async complete(request: CompleteRequest): Promise<void> {
    checkCompleteRequest(request);
    const bytes = completedItemBytes(request);
    if (bytes > this.#maxItemBytes) throw new IdempotencyResultTooLargeError(bytes, this.#maxItemBytes);
    try {
      const { fingerprint, leaseExpiresAt } = request;
      await (fingerprint !== undefined && leaseExpiresAt !== undefined
        ? this.#client.send(completePut(this.#tableName, request, fingerprint, leaseExpiresAt))
        : this.#client.send(completeUpdate(this.#tableName, request)));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException && isOwnCompletion(error.Item, request)) {
        // The SDK retried a write whose first response was lost: the outcome is already stored.
        this.#cache?.completed(request);
        return;
      }
      if (error instanceof ConditionalCheckFailedException && isOtherFingerprint(error.Item, request)) {
        throw otherFingerprintError();
      }
      // Not stored (or not known to be): nothing to cache. A "result lost" mark may follow under
      // the same lease, so the lease stays held.
      if (error instanceof ConditionalCheckFailedException) {
        this.#cache?.dropHeld(request.key, request.leaseToken);
        throw new IdempotencyLeaseLostError();
      }
      if (isItemTooLarge(error)) throw new IdempotencyResultTooLargeError(bytes, this.#maxItemBytes);
      throw error;
    }
    this.#cache?.completed(request);
  }

  /** {@inheritDoc IdempotencyStore.release} */
  async release(request: ReleaseRequest): Promise<boolean> {
    checkReleaseRequest(request);
    this.#cache?.dropHeld(request.key, request.leaseToken);
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { [ATTR.key]: { S: request.key } },
          ConditionExpression: LEASE_CONDITION,
          ExpressionAttributeNames: STATUS_NAME,
          ExpressionAttributeValues: { ':token': { S: request.leaseToken }, ':inProgress': IN_PROGRESS },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/**
 * A completion as one PutItem of the whole completed record, conditioned on the lease token, the
 * status and the fingerprint: DynamoDB then parses no update expression and does no
 * read-modify-write, which costs the server less than {@link completeUpdate}. Used when the request
 * carries the attempt's fingerprint and lease end (every wrapper passes them).
 */
function completePut(
  tableName: string,
  request: CompleteRequest,
  fingerprint: string,
  leaseExpiresAt: number,
): PutItemCommand {
  const token = { S: request.leaseToken };
  const fingerprintValue = { S: fingerprint };
  return new PutItemCommand({
    TableName: tableName,
    Item: {
      [ATTR.key]: { S: request.key },
      [ATTR.status]: COMPLETED,
      [ATTR.fingerprint]: fingerprintValue,
      [ATTR.leaseToken]: token,
      [ATTR.leaseExpiresAt]: { N: String(leaseExpiresAt) },
      [ATTR.expiresAtMs]: { N: String(request.expiresAt) },
      [ATTR.ttl]: ttlOf(request.expiresAt),
      [ATTR.outcome]: outcomeOf(request),
      [ATTR.result]: { S: request.result },
    },
    ConditionExpression: COMPLETE_PUT_CONDITION,
    ExpressionAttributeNames: STATUS_NAME,
    ExpressionAttributeValues: { ':token': token, ':inProgress': IN_PROGRESS, ':fingerprint': fingerprintValue },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

/** A completion as one UpdateItem in place, conditioned on the lease token (a store called by hand). */
function completeUpdate(tableName: string, request: CompleteRequest): UpdateItemCommand {
  return new UpdateItemCommand({
    TableName: tableName,
    Key: { [ATTR.key]: { S: request.key } },
    UpdateExpression: COMPLETE_UPDATE,
    ConditionExpression: LEASE_CONDITION,
    ExpressionAttributeNames: STATUS_AND_RESULT_NAMES,
    ExpressionAttributeValues: {
      ':completed': COMPLETED,
      ':outcome': outcomeOf(request),
      ':result': { S: request.result },
      ':expiresAtMs': { N: String(request.expiresAt) },
      ':ttl': ttlOf(request.expiresAt),
      ':token': { S: request.leaseToken },
      ':inProgress': IN_PROGRESS,
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

/** The TTL attribute for an expiry in epoch ms: whole seconds, rounded up (DynamoDB's TTL unit). */
function ttlOf(expiresAtMs: number): AttributeValue {
  return { N: String(Math.ceil(expiresAtMs / 1000)) };
}

function outcomeOf(request: CompleteRequest): AttributeValue {
  return request.outcome === 'value' ? OUTCOME_VALUE : OUTCOME_ERROR;
}

function acquireItem(request: AcquireRequest): Record<string, AttributeValue> {
  return {
    [ATTR.key]: { S: request.key },
    [ATTR.status]: IN_PROGRESS,
    [ATTR.fingerprint]: { S: request.fingerprint },
    [ATTR.leaseToken]: { S: request.leaseToken },
    [ATTR.leaseExpiresAt]: { N: String(request.leaseExpiresAt) },
    [ATTR.expiresAtMs]: { N: String(request.expiresAt) },
    [ATTR.ttl]: ttlOf(request.expiresAt),
  };
}

// What TAKEOVER_CONDITION accepts of an existing record, judged on the copy a failed put returned.
function canTakeOver(existing: IdempotencyRecord, request: AcquireRequest): boolean {
  if (existing.expiresAt <= request.now) return true;
  return (
    existing.status === 'in_progress' &&
    existing.leaseExpiresAt <= request.now &&
    existing.fingerprint === request.fingerprint
  );
}

function settled(existing: IdempotencyRecord | undefined, request: AcquireRequest): AcquireResult {
  if (existing === undefined || isOwnLease(existing, request)) return ACQUIRED;
  return { acquired: false, existing };
}

// The SDK retried a PutItem whose first response was lost: the record is already ours.
function isOwnLease(existing: IdempotencyRecord, request: AcquireRequest): boolean {
  return existing.status === 'in_progress' && existing.leaseToken === request.leaseToken;
}

const ACQUIRED: AcquireResult = Object.freeze({ acquired: true });

function isOwnCompletion(item: Record<string, AttributeValue> | undefined, request: CompleteRequest): boolean {
  return (
    item?.[ATTR.status]?.S === 'completed' &&
    item[ATTR.leaseToken]?.S === request.leaseToken &&
    item[ATTR.result]?.S === request.result
  );
}

// Our own in-progress lease, holding a fingerprint other than the one this completion carries.
function isOtherFingerprint(item: Record<string, AttributeValue> | undefined, request: CompleteRequest): boolean {
  return (
    request.fingerprint !== undefined &&
    item?.[ATTR.status]?.S === 'in_progress' &&
    item[ATTR.leaseToken]?.S === request.leaseToken &&
    item[ATTR.fingerprint]?.S !== request.fingerprint
  );
}

function isItemTooLarge(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message);
}
