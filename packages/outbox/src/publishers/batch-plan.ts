import { messageSizeBytes, traceAttributes } from '../enqueue/message.js';
import type { PublishEntry } from './publisher.js';

/** SQS's maximum number of entries in one `SendMessageBatch`. */
export const SQS_MAX_BATCH_ENTRIES = 10;

/** Indexes (into the publisher's input) of the entries that go into one `SendMessageBatch` to one queue. */
export interface PlannedBatch {
  readonly queueUrl: string;
  readonly indexes: readonly number[];
}

/**
 * Splits entries into batches: one queue per batch, at most 10 entries, at most `maxBatchBytes`
 * of message bytes each. Entries whose queue is unknown (`queueUrls[i] === undefined`) are left out.
 */
export function planBatches(
  entries: readonly PublishEntry[],
  queueUrls: readonly (string | undefined)[],
  maxBatchBytes: number,
): PlannedBatch[] {
  const open = new Map<string, { indexes: number[]; bytes: number }>();
  const batches: PlannedBatch[] = [];
  entries.forEach((entry, index) => {
    const queueUrl = queueUrls[index];
    if (queueUrl === undefined) return;
    const own = entry.attributes ?? {};
    const trace = traceAttributes(Object.keys(own).length, {
      traceparent: entry.traceparent ?? null,
      tracestate: entry.tracestate ?? null,
    });
    const size = messageSizeBytes(entry.body, own) + messageSizeBytes('', trace);
    let current = open.get(queueUrl);
    if (
      current !== undefined &&
      (current.indexes.length >= SQS_MAX_BATCH_ENTRIES || current.bytes + size > maxBatchBytes)
    ) {
      batches.push({ queueUrl, indexes: current.indexes });
      current = undefined;
    }
    if (current === undefined) {
      current = { indexes: [], bytes: 0 };
      open.set(queueUrl, current);
    }
    current.indexes.push(index);
    current.bytes += size;
  });
  for (const [queueUrl, current] of open)
    if (current.indexes.length > 0) batches.push({ queueUrl, indexes: current.indexes });
  return batches;
}
