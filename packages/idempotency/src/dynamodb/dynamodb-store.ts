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
  IdempotencyStore,
  ReleaseRequest,
} from '../store/idempotency-store.js';
import { checkAcquireRequest, checkCompleteRequest, checkReleaseRequest } from '../store/store-request.js';
import { ATTR, decodeRecord, itemSize } from './record-codec.js';

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
}

const IN_PROGRESS = { S: 'in_progress' } as const;

/**
 * Idempotency records in DynamoDB (a table of `idempotencyTableDefinition`). First call: one
 * conditional `PutItem` that returns the blocking item on conflict
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, no extra read). Completion: one `UpdateItem`
 * conditioned on the lease token. Release: one `DeleteItem` conditioned on it. Options are checked
 * here (`IdempotencyConfigError` naming the option).
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
  return new DynamoDbStore(options.client, options.tableName, maxItemBytes);
}

class DynamoDbStore implements IdempotencyStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #maxItemBytes: number;

  constructor(client: DynamoDBClient, tableName: string, maxItemBytes: number) {
    this.#client = client;
    this.#tableName = tableName;
    this.#maxItemBytes = maxItemBytes;
  }

  /** {@inheritDoc IdempotencyStore.acquire} */
  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    checkAcquireRequest(request);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            [ATTR.key]: { S: request.key },
            [ATTR.status]: IN_PROGRESS,
            [ATTR.fingerprint]: { S: request.fingerprint },
            [ATTR.leaseToken]: { S: request.leaseToken },
            [ATTR.leaseExpiresAt]: { N: String(request.leaseExpiresAt) },
            [ATTR.expiresAtMs]: { N: String(request.expiresAt) },
            [ATTR.ttl]: { N: String(Math.ceil(request.expiresAt / 1000)) },
          },
          // New key, or the TTL passed (DynamoDB deletes expired items late), or an expired lease
          // of an attempt with the same payload.
          ConditionExpression:
            'attribute_not_exists(#pk) OR #expiresAtMs <= :now OR (#status = :inProgress AND #leaseExpiresAt <= :now AND #fingerprint = :fingerprint)',
          ExpressionAttributeNames: {
            '#pk': ATTR.key,
            '#expiresAtMs': ATTR.expiresAtMs,
            '#status': ATTR.status,
            '#leaseExpiresAt': ATTR.leaseExpiresAt,
            '#fingerprint': ATTR.fingerprint,
          },
          ExpressionAttributeValues: {
            ':now': { N: String(request.now) },
            ':inProgress': IN_PROGRESS,
            ':fingerprint': { S: request.fingerprint },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined) throw new IdempotencyRecordError('Item', 'was not returned on a failed condition');
      const existing = decodeRecord(error.Item);
      // The SDK retried a PutItem whose first response was lost: the record is already ours.
      if (existing.status === 'in_progress' && existing.leaseToken === request.leaseToken) return { acquired: true };
      return { acquired: false, existing };
    }
  }

  /** {@inheritDoc IdempotencyStore.complete} */
  async complete(request: CompleteRequest): Promise<void> {
    checkCompleteRequest(request);
    const values = {
      ':completed': { S: 'completed' },
      ':outcome': { S: request.outcome },
      ':result': { S: request.result },
      ':expiresAtMs': { N: String(request.expiresAt) },
      ':ttl': { N: String(Math.ceil(request.expiresAt / 1000)) },
      ':token': { S: request.leaseToken },
      ':inProgress': IN_PROGRESS,
    };
    // The completed item carries the key, the status and the lease fields besides these values.
    const bytes = itemSize({
      [ATTR.key]: { S: request.key },
      [ATTR.status]: values[':completed'],
      [ATTR.fingerprint]: { S: 'f'.repeat(64) },
      [ATTR.leaseToken]: values[':token'],
      [ATTR.leaseExpiresAt]: { N: '0' },
      [ATTR.expiresAtMs]: values[':expiresAtMs'],
      [ATTR.ttl]: values[':ttl'],
      [ATTR.outcome]: values[':outcome'],
      [ATTR.result]: values[':result'],
    });
    if (bytes > this.#maxItemBytes) throw new IdempotencyResultTooLargeError(bytes, this.#maxItemBytes);
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { [ATTR.key]: { S: request.key } },
          UpdateExpression:
            'SET #status = :completed, #outcome = :outcome, #result = :result, #expiresAtMs = :expiresAtMs, #ttl = :ttl',
          ConditionExpression: '#leaseToken = :token AND #status = :inProgress',
          ExpressionAttributeNames: {
            '#status': ATTR.status,
            '#outcome': ATTR.outcome,
            '#result': ATTR.result,
            '#expiresAtMs': ATTR.expiresAtMs,
            '#ttl': ATTR.ttl,
            '#leaseToken': ATTR.leaseToken,
          },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // The SDK retried an UpdateItem whose first response was lost: the outcome is already stored.
        if (isOwnCompletion(error.Item, request)) return;
        throw new IdempotencyLeaseLostError();
      }
      if (isItemTooLarge(error)) throw new IdempotencyResultTooLargeError(bytes, this.#maxItemBytes);
      throw error;
    }
  }

  /** {@inheritDoc IdempotencyStore.release} */
  async release(request: ReleaseRequest): Promise<boolean> {
    checkReleaseRequest(request);
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { [ATTR.key]: { S: request.key } },
          ConditionExpression: '#leaseToken = :token AND #status = :inProgress',
          ExpressionAttributeNames: { '#leaseToken': ATTR.leaseToken, '#status': ATTR.status },
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

function isOwnCompletion(item: Record<string, AttributeValue> | undefined, request: CompleteRequest): boolean {
  return (
    item?.[ATTR.status]?.S === 'completed' &&
    item[ATTR.leaseToken]?.S === request.leaseToken &&
    item[ATTR.result]?.S === request.result
  );
}

function isItemTooLarge(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message);
}
