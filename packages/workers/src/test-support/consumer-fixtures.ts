// Test-only: message bodies and message-id bookkeeping for consumer tests.
import type { ReceiveMessageCommandOutput } from '@aws-sdk/client-sqs';
import { chargeCard } from './commands.js';
import { encodeNow } from './envelopes.js';
import type { RecordedCall } from './sqs-helpers.js';

/** A ChargeCard envelope body with `seq` in its payload. */
export const chargeBody = (seq: number, orderId = `order-${seq}`) =>
  JSON.stringify(
    encodeNow(
      chargeCard,
      { amountMinor: 100 + seq, currency: 'EUR', seq },
      { orderId, idempotencyKey: `${orderId}:charge` },
    ),
  );

/** `count` ChargeCard entries for `sendAll`, seq 0..count-1. */
export const chargeBodies = (count: number) =>
  Array.from({ length: count }, (_, seq) => ({ MessageBody: chargeBody(seq) }));

/** SQS message ids whose receipt handles were passed to DeleteMessage(Batch), from recorded calls. */
export function deletedMessageIds(calls: readonly RecordedCall[]): Set<string> {
  const idByHandle = new Map<string, string>();
  for (const call of calls) {
    if (call.command !== 'ReceiveMessage') continue;
    for (const message of (call.output as ReceiveMessageCommandOutput | undefined)?.Messages ?? []) {
      if (message.ReceiptHandle && message.MessageId) idByHandle.set(message.ReceiptHandle, message.MessageId);
    }
  }
  const deleted = new Set<string>();
  for (const call of calls) {
    const handles =
      call.command === 'DeleteMessageBatch'
        ? ((call.input.Entries as Array<{ ReceiptHandle: string }>) ?? []).map((entry) => entry.ReceiptHandle)
        : call.command === 'DeleteMessage'
          ? [call.input.ReceiptHandle as string]
          : [];
    for (const handle of handles) {
      const id = idByHandle.get(handle);
      if (id !== undefined) deleted.add(id);
    }
  }
  return deleted;
}

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
