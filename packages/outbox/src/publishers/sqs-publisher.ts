import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { transientFailure, xrayTraceHeader } from '@checkout/core';
import { traceAttributes } from '../enqueue/message.js';
import { OutboxConfigError, OutboxUnknownDestinationError } from '../errors.js';
import { planBatches } from './batch-plan.js';
import type { OutboxPublisher, PublishEntry, PublishOutcome } from './publisher.js';

/** Options of {@link createSqsPublisher}. */
export interface SqsPublisherOptions {
  /** Your SQS client (region, endpoint, credentials, retries are yours to configure). */
  readonly client: SQSClient;
  /** Logical destination -> queue URL, as a map or a function. An unknown destination fails that row (it retries, then goes dead). */
  readonly queues: Readonly<Record<string, string>> | ((destination: string) => string | undefined);
  /** Byte budget of one `SendMessageBatch` (SQS: 1 MiB today). Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** `SendMessageBatch` calls in flight at once per `publish`. Default 8. */
  readonly concurrency?: number;
  /**
   * Prefix of `MessageDeduplicationId` on FIFO queues (default none: the row id). Set it when two
   * outbox tables publish to one FIFO queue, so their ids cannot collide in the dedup window.
   */
  readonly deduplicationIdPrefix?: string;
  /**
   * Send an entry's trace context as the `AWSTraceHeader` message system attribute too (X-Ray's
   * format, derived from the W3C `traceparent`), which Lambda and X-Ray continue. Default `true`.
   * Set `false` for an endpoint that refuses system attributes (the fauxqs emulator accepts and
   * drops it; ElasticMQ versions differ). The `traceparent` / `tracestate` message attributes are
   * sent either way, when the message has free attribute slots.
   */
  readonly awsTraceHeader?: boolean;
}

function toAttributes(entry: PublishEntry): Record<string, MessageAttributeValue> | undefined {
  const own = Object.entries(entry.attributes ?? {});
  // The trace context rides in the free slots (SQS allows 10 attributes): `traceparent`, then
  // `tracestate`. An attribute of the same name of the message's own wins.
  const trace = Object.entries(
    traceAttributes(own.length, { traceparent: entry.traceparent ?? null, tracestate: entry.tracestate ?? null }),
  ).filter(([name]) => !Object.hasOwn(entry.attributes ?? {}, name));
  if (own.length + trace.length === 0) return undefined;
  // Object.fromEntries defines own properties, so an attribute named `__proto__` is sent too.
  return Object.fromEntries(
    [...own, ...trace].map(([name, value]): [string, MessageAttributeValue] => [
      name,
      typeof value === 'number'
        ? { DataType: 'Number', StringValue: String(value) }
        : { DataType: 'String', StringValue: value },
    ]),
  );
}

/**
 * Publishes outbox rows with `SendMessageBatch` (10 entries, byte budget per call) and reports
 * each entry's own outcome, so one failed entry is retried alone. FIFO queues (URL ending in
 * `.fifo`) get `MessageGroupId` = group key (the row id when there is none) and
 * `MessageDeduplicationId` = row id. Options are checked here (`OutboxConfigError` naming the option).
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { createSqsPublisher } from '@checkout/outbox';
 *
 * const publisher = createSqsPublisher({
 *   client: new SQSClient({}),
 *   queues: { 'checkout-commands': 'https://sqs.eu-west-1.amazonaws.com/123456789012/checkout-commands.fifo' },
 * });
 * ```
 */
export function createSqsPublisher(options: SqsPublisherOptions): OutboxPublisher {
  return new SqsPublisher(options);
}

class SqsPublisher implements OutboxPublisher {
  readonly messagingSystem = 'aws_sqs';
  readonly #client: SQSClient;
  readonly #awsTraceHeader: boolean;
  readonly #resolve: (destination: string) => string | undefined;
  readonly #maxBatchBytes: number;
  readonly #concurrency: number;
  readonly #dedupPrefix: string;

  constructor(options: SqsPublisherOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new OutboxConfigError('options', 'must be an object { client, queues, ... }');
    }
    if (typeof options.client !== 'object' || options.client === null || typeof options.client.send !== 'function') {
      throw new OutboxConfigError('client', 'must be an SQSClient');
    }
    this.#client = options.client;
    const queues = options.queues;
    if (typeof queues !== 'function' && (typeof queues !== 'object' || queues === null)) {
      throw new OutboxConfigError('queues', 'must be a map of destination -> queue URL, or a function');
    }
    this.#resolve =
      typeof queues === 'function'
        ? queues
        : (destination) => (Object.hasOwn(queues, destination) ? queues[destination] : undefined);
    this.#maxBatchBytes = options.maxBatchBytes ?? 1_048_576;
    this.#concurrency = options.concurrency ?? 8;
    this.#dedupPrefix = options.deduplicationIdPrefix ?? '';
    this.#awsTraceHeader = options.awsTraceHeader ?? true;
    if (typeof this.#awsTraceHeader !== 'boolean') throw new OutboxConfigError('awsTraceHeader', 'must be a boolean');
    if (!Number.isSafeInteger(this.#maxBatchBytes) || this.#maxBatchBytes < 1) {
      throw new OutboxConfigError('maxBatchBytes', 'must be a positive integer');
    }
    if (!Number.isSafeInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new OutboxConfigError('concurrency', 'must be a positive integer');
    }
    if (typeof this.#dedupPrefix !== 'string' || !/^[\x21-\x7e]{0,40}$/.test(this.#dedupPrefix)) {
      throw new OutboxConfigError('deduplicationIdPrefix', 'must be at most 40 printable ASCII characters');
    }
  }

  /** See {@link OutboxPublisher.publish}. */
  async publish(entries: readonly PublishEntry[], signal: AbortSignal): Promise<readonly PublishOutcome[]> {
    const outcomes: PublishOutcome[] = entries.map((entry) => ({
      ok: false,
      error: `${OutboxUnknownDestinationError.name}: ${new OutboxUnknownDestinationError(entry.destination).message}`,
    }));
    const queueUrls = entries.map((entry) => this.#resolve(entry.destination));
    const batches = planBatches(entries, queueUrls, this.#maxBatchBytes);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next];
        next += 1;
        if (batch === undefined) break;
        await this.#send(batch.queueUrl, batch.indexes, entries, outcomes, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, batches.length) }, worker));
    return outcomes;
  }

  async #send(
    queueUrl: string,
    indexes: readonly number[],
    entries: readonly PublishEntry[],
    outcomes: PublishOutcome[],
    signal: AbortSignal,
  ): Promise<void> {
    const fifo = queueUrl.endsWith('.fifo');
    const byId = new Map<string, number>();
    const requestEntries = indexes.map((index) => {
      const entry = entries[index] as PublishEntry;
      byId.set(entry.id, index);
      const attributes = toAttributes(entry);
      const xray =
        this.#awsTraceHeader && entry.traceparent !== undefined ? xrayTraceHeader(entry.traceparent) : undefined;
      return {
        Id: entry.id,
        MessageBody: entry.body,
        ...(attributes === undefined ? {} : { MessageAttributes: attributes }),
        ...(xray === undefined
          ? {}
          : { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: xray } } }),
        ...(entry.delaySeconds === null ? {} : { DelaySeconds: entry.delaySeconds }),
        ...(fifo
          ? { MessageGroupId: entry.groupKey ?? entry.id, MessageDeduplicationId: `${this.#dedupPrefix}${entry.id}` }
          : {}),
      };
    });
    try {
      const response = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: requestEntries }),
        { abortSignal: signal },
      );
      for (const index of indexes)
        outcomes[index] = { ok: false, error: 'SendMessageBatch returned no result for this entry' };
      for (const ok of response.Successful ?? []) {
        const index = ok.Id === undefined ? undefined : byId.get(ok.Id);
        if (index !== undefined)
          outcomes[index] = ok.MessageId === undefined ? { ok: true } : { ok: true, messageId: ok.MessageId };
      }
      for (const failed of response.Failed ?? []) {
        const index = failed.Id === undefined ? undefined : byId.get(failed.Id);
        if (index !== undefined) {
          // SenderFault false: SQS failed on its side (InternalError, ServiceUnavailable), not the entry.
          outcomes[index] = {
            ok: false,
            error: `${failed.Code ?? 'Failed'}: ${failed.Message ?? 'no message'}`,
            retryable: failed.SenderFault === false,
          };
        }
      }
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      // Throttling, 5xx, timeouts, refused or dropped connections: SQS was not there, the entries are fine.
      const retryable = transientFailure(error) !== undefined;
      for (const index of indexes) outcomes[index] = { ok: false, error: reason, retryable };
    }
  }
}
