import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { boundedCall } from '../processing/call-timeout.js';

interface Pending {
  readonly receiptHandle: string;
  readonly resolve: (deleted: boolean) => void;
}

/**
 * Coalesces acknowledgements into `DeleteMessageBatch` calls of up to 10: a full batch goes at
 * once, a partial one after `delayMs`. Each caller learns whether its own entry was deleted.
 */
export class DeleteBatcher {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #delayMs: number;
  readonly #report: (error: unknown) => void;
  readonly #timeoutMs: number;
  #pending: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  /** `timeoutMs` bounds each `DeleteMessageBatch` call (then its entries count as not deleted). */
  constructor(
    client: SQSClient,
    queueUrl: string,
    delayMs: number,
    report: (error: unknown) => void,
    timeoutMs: number,
  ) {
    this.#timeoutMs = timeoutMs;
    this.#client = client;
    this.#queueUrl = queueUrl;
    this.#delayMs = delayMs;
    this.#report = report;
  }

  /** Queues one delete; resolves `true` once SQS confirmed it. */
  delete(receiptHandle: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.#pending.push({ receiptHandle, resolve });
      if (this.#pending.length >= 10) this.#send();
      else this.#timer ??= setTimeout(() => this.#send(), this.#delayMs);
    });
  }

  /** Sends what is queued and waits for every call in flight. */
  async flush(): Promise<void> {
    while (this.#pending.length > 0) this.#send();
    await Promise.all(this.#inFlight);
  }

  #send(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending.splice(0, 10);
    if (batch.length === 0) return;
    if (this.#pending.length > 0) this.#timer = setTimeout(() => this.#send(), this.#delayMs);
    const call = boundedCall('DeleteMessageBatch', this.#timeoutMs, (callOptions) =>
      this.#client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receiptHandle })),
        }),
        callOptions,
      ),
    )
      .then(
        (result) => {
          const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
          for (const entry of result.Failed ?? [])
            this.#report(new Error(`DeleteMessageBatch entry failed: ${entry.Code}`));
          batch.forEach((entry, index) => {
            entry.resolve(!failed.has(String(index)));
          });
        },
        (error: unknown) => {
          this.#report(error);
          for (const entry of batch) entry.resolve(false);
        },
      )
      .finally(() => this.#inFlight.delete(call));
    this.#inFlight.add(call);
  }
}
